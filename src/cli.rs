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
    /// Check a `.mix` file without rendering: syntax, names, units, routing,
    /// and that every source file opens.
    Check {
        /// The `.mix` file.
        file: PathBuf,
    },
    /// Measure loudness and peaks of audio files (ITU-R BS.1770-5, EBU R 128).
    ///
    /// Prints one row per file: integrated loudness (I, gated, LUFS), loudness
    /// range (LRA, EBU Tech 3342, LU), the highest momentary (400 ms) and
    /// short-term (3 s) loudness, evaluated every 10 ms, the sample peak
    /// (dBFS), the true peak (4x oversampled, dBTP), the phase correlation of
    /// the first two channels (-1 to +1) and the duration.
    ///
    /// Reads every format mixc decodes (WAV, AIFF, FLAC, MP3, Ogg Vorbis, ...),
    /// mono to 16 channels. Channel weights follow the channel count: a mono
    /// file is one channel with weight 1 (a 0 dBFS sine reads -3.01 LUFS);
    /// 5 channels are L R C Ls Rs and 6 are L R C LFE Ls Rs (LFE not counted,
    /// surrounds weigh 1.41). A dash means no reading: silence, or a file
    /// shorter than the window (0.4 s for I and M, 3 s for S and LRA).
    ///
    /// Exit status: 0 every file measured, 2 a file could not be read (it is
    /// named on stderr and the other files are still measured).
    Meter {
        /// Audio files to measure.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print a JSON array (one object per file, full precision) instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// List the processors, or show one processor's parameters.
    Help {
        /// A processor name, e.g. `peak`.
        topic: Option<String>,
    },
}
