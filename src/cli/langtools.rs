//! `mixc fmt` and `mixc graph`: reading and writing files, diffs, exit codes.
//! The formatting itself is `mixc::syntax::fmt`, the drawing `mixc::report::graph`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use mixc::deliver::temp::TempFile;
use mixc::diagnostic::Report;
use mixc::report::graph::{self, Format};
use mixc::source::SourceMap;
use mixc::syntax::fmt::{self, FmtError};

/// What happened to one file.
enum Outcome {
    Unchanged,
    Changed,
    /// Exit code 1 (syntax error) or 2 (could not read or write).
    Failed(u8),
}

/// `mixc fmt [--check] FILE...`: returns the exit code.
pub fn fmt(paths: &[PathBuf], check: bool) -> u8 {
    let mut code = 0;
    for path in expand(paths) {
        let outcome = if path.as_os_str() == "-" { fmt_stdin(check) } else { fmt_file(&path, check) };
        code = match outcome {
            Outcome::Unchanged => code,
            Outcome::Changed if check => code.max(1),
            Outcome::Changed => code,
            Outcome::Failed(c) => code.max(c),
        };
    }
    code
}

/// Files as given, with each folder replaced by the `.mix` files under it
/// (hidden folders and `target` skipped), sorted.
fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found);
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() && !name.starts_with('.') && name != "target" {
            walk(&path, found);
        } else if path.extension().is_some_and(|e| e == "mix") {
            found.push(path);
        }
    }
}

fn fmt_file(path: &Path, check: bool) -> Outcome {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", path.display());
            return Outcome::Failed(2);
        }
    };
    let Some(formatted) = format_text(path, &text) else { return Outcome::Failed(1) };
    if formatted == text {
        return Outcome::Unchanged;
    }
    if check {
        print_diff(path, &text, &formatted);
    } else if let Err(e) = write_atomically(path, formatted.as_bytes()) {
        eprintln!("error: cannot write `{}`: {e}", path.display());
        return Outcome::Failed(2);
    }
    Outcome::Changed
}

/// `mixc fmt -`: standard input to standard output.
fn fmt_stdin(check: bool) -> Outcome {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("error: cannot read standard input: {e}");
        return Outcome::Failed(2);
    }
    let Some(formatted) = format_text(Path::new("<stdin>"), &text) else { return Outcome::Failed(1) };
    if check {
        if formatted == text {
            return Outcome::Unchanged;
        }
        print_diff(Path::new("<stdin>"), &text, &formatted);
        return Outcome::Changed;
    }
    let _ = std::io::stdout().write_all(formatted.as_bytes());
    Outcome::Unchanged
}

/// The formatted text, or `None` after printing why it could not be formatted.
fn format_text(path: &Path, text: &str) -> Option<String> {
    let mut sources = SourceMap::new();
    let file = sources.add(path, path.display().to_string(), text);
    match fmt::format(file, text) {
        Ok(out) => Some(out),
        Err(FmtError::Syntax(diagnostics)) => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            eprint!("{}", Report { sources, diagnostics }.render(color, 100));
            eprintln!("error: `{}` was not formatted: it does not parse", path.display());
            None
        }
        Err(FmtError::Internal(why)) => {
            eprintln!("error: internal formatter error on `{}`: {why}", path.display());
            eprintln!("help: the file was left unchanged; this is a bug in mixc, please report it with the file");
            None
        }
    }
}

fn print_diff(path: &Path, old: &str, new: &str) {
    let name = path.display().to_string();
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff.unified_diff().context_radius(3).header(&name, &name).to_string();
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// Writes `.NAME.mixc-tmp-PID` beside `path`, then renames it over `path`, so
/// an interrupted run never leaves a half-written file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = TempFile::new(path);
    let mut f = std::fs::File::create(tmp.path())?;
    f.write_all(bytes)?;
    f.sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        std::fs::set_permissions(tmp.path(), meta.permissions())?;
    }
    tmp.commit()
}

/// `mixc graph FILE [--format F] [-o OUT]`: returns the exit code.
pub fn graph(file: &Path, format: &str, output: Option<&Path>) -> u8 {
    let format = match format {
        "svg" => Format::Svg,
        "png" => Format::Png,
        _ => Format::Dot,
    };
    let bytes = match graph::draw_file(file, format) {
        Ok(b) => b,
        Err(graph::Error::Mix(report)) => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            eprint!("{}", report.render(color, 100));
            return if report.could_not_run() { 2 } else { 1 };
        }
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let written = match output {
        Some(out) => write_atomically(out, &bytes),
        None => std::io::stdout().write_all(&bytes),
    };
    match written {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: cannot write the graph: {e}");
            2
        }
    }
}
