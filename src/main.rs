//! The `mixc` binary: parse the command line, call the library, map errors to exit codes.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

mod cli;
mod report;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Render { file, threads, quiet, block } => report::render(&file, threads, quiet, block),
        cli::Command::Check { file } => report::check(&file),
        cli::Command::Help { topic } => report::help(topic.as_deref()),
    };
    // A closed pipe (`mixc help | head`) is not an error.
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().is_terminal();
    ExitCode::from(code)
}
