//! The command line: subcommands, flags and their help text (clap); each
//! command's running and printing in a submodule (diagnostics, progress,
//! summaries, exit codes). The library makes the results; only the binary prints.

pub mod album;
pub mod langtools;
pub mod meter;
pub mod play;
pub mod preview;
pub mod render;
pub mod signals;
pub mod watch;

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

/// Where and what to play (`watch --play`, `play`).
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// Start here: `1:12` (minutes:seconds, two digits of seconds), `72s`, or `17:1` (bar:beat).
    #[arg(long, value_name = "POS", value_parser = parse_position)]
    pub from: Option<mixc::play::position::Position>,
    /// Loop START..END, e.g. `17:1..25:1` or `0:30..1:00` (`l` turns it off and on).
    #[arg(long = "loop", value_name = "START..END")]
    pub looping: Option<String>,
    /// The output device (see `mixc devices`); `clock` plays without sound.
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
}

fn parse_position(text: &str) -> Result<mixc::play::position::Position, String> {
    mixc::play::position::Position::parse(text)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a song (or an album) to every file its `export` lines name.
    ///
    /// An album file (one with an `album` block) renders every song it
    /// lists, masters them as one record and prints the album report.
    ///
    /// Outputs are written to a temporary file beside the target and moved
    /// into place only when the whole render has succeeded, so a failed render
    /// never leaves a truncated file or clobbers a good one.
    Render {
        /// The song's (or the album's) `.mix` file.
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
    ///
    /// With --play the master plays while you edit: each good render takes
    /// over at the same playhead with a 20 ms crossfade; a broken edit keeps
    /// the last good version playing. Keys: space play/pause, ←/→ 5 s back
    /// or on, Home back to the start, l loop on/off, a/b the latest or the
    /// previous render, m level-match A and B by integrated loudness, s solo
    /// a track or bus by name, q quit. The status line shows the time and
    /// bar:beat, momentary and short-term LUFS, true peak and the version.
    /// Sound needs mixc built with `--features play` (ALSA) or `--features
    /// jack`; `--device clock` plays silently in any build.
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
        /// Play the master while watching (renders then default to one thread per core, less one).
        #[arg(long)]
        play: bool,
        #[command(flatten)]
        listen: ListenArgs,
    },
    /// Play a song (rendered once, nothing written) or an audio file, with
    /// the keys and status line of `mixc watch --play`.
    Play {
        /// A `.mix` song, or any audio file mixc decodes (WAV, FLAC, MP3, ...).
        file: PathBuf,
        /// Worker threads for the render (default: one per core, less one).
        #[arg(long, short = 'j', value_name = "N")]
        threads: Option<usize>,
        #[command(flatten)]
        listen: ListenArgs,
    },
    /// List the audio output devices `--device` takes.
    Devices,
    /// Check a `.mix` file without rendering: syntax, names, units, routing,
    /// and that every source file opens (for an album, every song's).
    Check {
        /// The `.mix` file.
        file: PathBuf,
    },
    /// Rewrite `.mix` files in the canonical layout, keeping every comment.
    ///
    /// The layout: 4-space indentation; `=` aligned across consecutive
    /// settings of a block; a block written on one line stays on one line if
    /// it fits in 100 columns; chain breaks are kept as written and added
    /// before the `->` that would pass 100 columns, continuing under the
    /// first stage; `automate` breakpoints in aligned columns; end-of-line
    /// comments aligned within each run of lines; at most one blank line in a
    /// row. Formatting never changes what a file means: the result is parsed
    /// again and compared before anything is written.
    ///
    /// Files are rewritten in place through a temporary file, so an
    /// interrupted run never leaves half a file. A file that does not parse is
    /// left alone and its error printed. Exit status: 0 formatted (or, with
    /// --check, already formatted), 1 a file does not parse or --check found
    /// changes, 2 a file could not be read or written.
    Fmt {
        /// `.mix` files to format; a folder means every `.mix` file under it,
        /// and `-` reads standard input and writes standard output.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Change nothing: print a unified diff for each file that is not
        /// formatted, and exit 1 if there was any.
        #[arg(long)]
        check: bool,
    },
    /// Draw a song's routing: tracks, buses and the master with their chains.
    ///
    /// Solid edges are `out`, dashed edges are sends (labelled with level and
    /// pre/post fader), dotted edges are sidechain keys. DOT output is for
    /// Graphviz (`mixc graph song.mix | dot -Tsvg > song.svg`); SVG and PNG are
    /// laid out and drawn by mixc itself, no Graphviz needed. The file is
    /// checked first, so its sources must exist.
    Graph {
        /// The song's `.mix` file.
        file: PathBuf,
        /// What to write.
        #[arg(long, value_parser = ["dot", "svg", "png"], default_value = "dot")]
        format: String,
        /// Write to OUT instead of standard output.
        #[arg(long, short = 'o', value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// Measure loudness and peaks of audio files (ITU-R BS.1770-5, EBU R 128).
    ///
    /// Prints one row per file: integrated loudness (I, gated, LUFS), loudness
    /// range (LRA, EBU Tech 3342, LU), the highest momentary (400 ms) and
    /// short-term (3 s) loudness, evaluated every 10 ms, the sample peak
    /// (dBFS), the true peak (4x oversampled, dBTP), the phase correlation of
    /// the first two channels (-1 to +1) and the duration.
    ///
    /// Reads every format mixc decodes (WAV, AIFF, FLAC, MP3, Ogg Vorbis, Opus),
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
    /// Hear-before-you-ship numbers: what each codec does to the master.
    ///
    /// Masters the song as for release (the master's loudness target and
    /// ceiling) into a lossless reference and one file per codec, in a
    /// temporary folder that is removed afterwards; decodes each lossy file
    /// (libopus for Opus, symphonia for MP3 and Vorbis) and prints its
    /// integrated loudness, true peak and sample peak with their change from
    /// the lossless master, and the bitrate the file came out at. A decoded
    /// true peak over the ceiling is flagged: `true_peak = -1dBTP after
    /// decoding` on the master holds it in the real exports.
    ///
    /// Codecs: `mp3:BITRATE` (32k to 320k) or `mp3:vN` (LAME's -V, 0 to 9), `opus:BITRATE[:vbr|cvbr|cbr]`
    /// (6k to 510k, always 48 kHz), `vorbis:qN` (quality -1 to 10) or
    /// `vorbis:BITRATE`.
    Preview {
        /// The song's `.mix` file.
        file: PathBuf,
        /// The codecs, comma-separated.
        #[arg(long, short = 'c', value_name = "LIST", default_value = mixc::pipeline::preview::DEFAULT_CODECS)]
        codec: String,
        /// Print a JSON object instead of the table.
        #[arg(long)]
        json: bool,
        /// Worker threads (default: one per core).
        #[arg(long, short = 'j', value_name = "N")]
        threads: Option<usize>,
    },
    /// List the processors, or show one processor's parameters.
    Help {
        /// A processor name, e.g. `peak`.
        topic: Option<String>,
    },
}
