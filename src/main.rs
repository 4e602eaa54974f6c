//! The `mixc` binary: parse the command line, call the library, map errors to exit codes.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

mod cli;

use cli::{langtools, meter, play, preview, render, watch};

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = cli::Cli::parse();
    if !matches!(cli.command, cli::Command::Watch { .. } | cli::Command::Play { .. }) {
        cli::signals::clean_up_on_termination();
    }
    let code = match cli.command {
        cli::Command::Render { file, threads, out_dir, quiet, block } => {
            render::render(&file, render::RenderArgs { threads, out_dir, quiet, block })
        }
        cli::Command::Check { file } => render::check(&file),
        // A missing file at the start is a typo, not a file an editor is
        // about to save: `check` names it and exits 2, as `render` would.
        cli::Command::Watch { file, .. } if !file.exists() => render::check(&file),
        cli::Command::Watch { file, .. } if mixc::album::is_album(&file) => {
            eprintln!("error: `mixc watch` takes a song; `{}` is an album", file.display());
            eprintln!("help: watch one of its songs, or run `mixc render {}`", file.display());
            2
        }
        cli::Command::Watch { file, out_dir, threads, cache_mb, play: false, .. } => {
            watch::watch(&file, out_dir, threads, cache_mb)
        }
        cli::Command::Watch { file, out_dir, threads, cache_mb, play: true, listen } => {
            play::watch(&file, out_dir, threads, cache_mb, listen)
        }
        cli::Command::Play { file, threads, listen } => play::play(&file, threads, listen),
        cli::Command::Devices => play::devices(),
        cli::Command::Meter { files, json } => meter::meter(&files, json),
        cli::Command::Preview { file, codec, json, threads } => preview::preview(&file, &codec, json, threads),
        cli::Command::Help { topic } => render::help(topic.as_deref()),
        cli::Command::Fmt { files, check } => langtools::fmt(&files, check),
        cli::Command::Graph { file, format, output } => langtools::graph(&file, &format, output.as_deref()),
    };
    let _ = std::io::stdout().flush();
    ExitCode::from(code)
}

/// A closed pipe (`mixc help | head`, `mixc meter --json a.wav | head -1`)
/// ends mixc quietly, as it ends `cat`: Rust ignores SIGPIPE, which would
/// turn the closed pipe into a panic in `println!`. Output files are not
/// pipes, and they are renamed into place only when complete, so nothing is
/// left half-written.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any thread is started;
    // SIG_DFL is a valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
