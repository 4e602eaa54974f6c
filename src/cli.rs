//! The command line: subcommands, flags and their help text (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Mixing and mastering as code.
///
/// mixc reads a `.mix` file — tracks, buses, effect chains, a master chain and
/// the files to deliver — and renders it to release-ready audio. The recipe
/// is plain text: keep it in version control, diff it, review it.
///
/// Exit status: 0 success, 1 the .mix file has errors, 2 mixc could not run
/// (unreadable audio, unwritable output).
#[derive(Debug, Parser)]
#[command(name = "mixc", version, disable_help_subcommand = true, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a song to every file its `export` lines name.
    ///
    /// Outputs are written to a temporary file beside the target and moved
    /// into place only when the whole render has succeeded, so a failed render
    /// never leaves a truncated file or clobbers a good one.
    Render {
        /// The song's `.mix` file.
        file: PathBuf,
        /// Worker threads (default: one per core). The output is bit-identical
        /// whatever the number.
        #[arg(long, short = 'j', value_name = "N")]
        threads: Option<usize>,
        /// Write exports with relative paths under DIR instead of beside the .mix file.
        #[arg(long, short = 'o', value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Frames per processing block (for testing; the output does not change).
        #[arg(long, hide = true, value_name = "FRAMES")]
        block: Option<usize>,
    },
    /// Render, then re-render on every save of the `.mix` file, its imports
    /// or its sources.
    ///
    /// Only the nodes whose content changed are re-rendered; the others are
    /// replayed from memory. An edit with errors prints its diagnostics and
    /// keeps the last good output in place; the next good save renders.
    /// Outputs are replaced atomically, so a player looping them never reads
    /// half a file. Stop with Ctrl-C.
    Watch {
        /// The song's `.mix` file.
        file: PathBuf,
        /// Write exports with relative paths under DIR instead of beside the .mix file.
        #[arg(long, short = 'o', value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// Worker threads (default: one per core).
        #[arg(long, short = 'j', value_name = "N")]
        threads: Option<usize>,
        /// Memory for cached node outputs, in MiB. Nodes that do not fit are
        /// re-rendered when needed.
        #[arg(long, value_name = "MIB", default_value_t = 2048)]
        cache_mb: usize,
    },
    /// Check a `.mix` file without rendering: syntax, names, units, routing,
    /// and that every source file opens.
    Check {
        /// The `.mix` file.
        file: PathBuf,
    },
    /// List the processors, or show one processor's parameters.
    Help {
        /// A processor name, e.g. `peak`.
        topic: Option<String>,
    },
}
