//! The `mixc` binary: parse the command line, call the library, map errors to exit codes.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

mod cli;
mod langtools;
mod report;
mod report_album;
mod report_meter;
mod report_watch;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Render { file, threads, out_dir, quiet, block } => {
            report::render(&file, report::RenderArgs { threads, out_dir, quiet, block })
        }
        cli::Command::Check { file } => report::check(&file),
        cli::Command::Watch { file, .. } if mixc::album::is_album(&file) => {
            eprintln!("error: `mixc watch` takes a song; `{}` is an album", file.display());
            eprintln!("help: watch one of its songs, or run `mixc render {}`", file.display());
            2
        }
        cli::Command::Watch { file, out_dir, threads, cache_mb } => {
            report_watch::watch(&file, out_dir, threads, cache_mb)
        }
        cli::Command::Meter { files, json } => report_meter::meter(&files, json),
        cli::Command::Help { topic } => report::help(topic.as_deref()),
        cli::Command::Fmt { files, check } => langtools::fmt(&files, check),
        cli::Command::Graph { file, format, output } => langtools::graph(&file, &format, output.as_deref()),
    };
    // A closed pipe (`mixc help | head`) is not an error.
    let _ = std::io::stdout().flush();
    ExitCode::from(code)
}
