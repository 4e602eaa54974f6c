//! What the `mixc` binary prints: diagnostics, progress, summaries, help.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use mixc::check::registry::{self, Default};
use mixc::pipeline::{self, Error, RunOptions};
use mixc::render::RenderOptions;

/// Flags of `mixc render`.
pub struct RenderArgs {
    pub threads: Option<usize>,
    pub out_dir: Option<PathBuf>,
    pub quiet: bool,
    pub block: Option<usize>,
}

/// `mixc render`: returns the exit code.
pub fn render(file: &Path, args: RenderArgs) -> u8 {
    let mut graph = match pipeline::check(file) {
        Ok(g) => g,
        Err(e) => return fail(&e),
    };
    if graph.exports.is_empty() {
        eprintln!("error: nothing to render: `{}` has no `export` line", file.display());
        eprintln!("help: add a line like `export \"out/song.wav\"`");
        return 1;
    }
    if let Some(dir) = &args.out_dir {
        graph.redirect_exports(dir);
    }
    let quiet = args.quiet;
    let options = RunOptions { render: RenderOptions { threads: args.threads }, block: args.block };
    let started = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    let show = !quiet && std::io::stderr().is_terminal();
    let mut progress = |done: u64, total: u64| {
        if !show || started.elapsed().as_millis() < 400 {
            return;
        }
        let b = bar.get_or_insert_with(|| {
            let b = ProgressBar::new(total);
            let style = ProgressStyle::with_template("{spinner} rendering [{bar:40}] {percent}% {eta} left")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            b.set_style(style.progress_chars("=> "));
            b
        });
        b.set_position(done);
    };
    let result = pipeline::render_graph(&graph, options, &mut progress);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    match result {
        Ok(summary) => {
            if !quiet {
                print_summary(file, &summary);
            }
            0
        }
        Err(e) => fail(&e),
    }
}

fn print_summary(file: &Path, s: &pipeline::Summary) {
    let seconds = s.frames as f64 / s.rate as f64;
    let speed = seconds / s.elapsed.as_secs_f64().max(1e-9);
    let peak = mixc::dsp::gain_to_db(s.peak as f64);
    eprintln!(
        "rendered {}: {} at {} Hz, peak {} dBFS, {:.0}x real time ({:.2} s)",
        file.display(),
        clock(seconds),
        s.rate,
        if peak.is_finite() { format!("{peak:.1}") } else { "-inf".into() },
        speed,
        s.elapsed.as_secs_f64()
    );
    for w in &s.written {
        eprintln!("  wrote {} ({} at {} Hz)", w.path.display(), clock(w.frames as f64 / w.rate as f64), w.rate);
        if let Some(m) = &w.measured {
            eprintln!(
                "    {:.1} LUFS, LRA {:.1} LU, true peak {:.1} dBTP, sample peak {:.1} dBFS",
                m.loudness, m.lra, m.true_peak, m.sample_peak
            );
        }
    }
}

/// `m:ss.s`
pub fn clock(seconds: f64) -> String {
    let m = (seconds / 60.0).floor();
    format!("{}:{:04.1}", m as u64, seconds - m * 60.0)
}

/// `mixc check`: returns the exit code.
pub fn check(file: &Path) -> u8 {
    match pipeline::check(file) {
        Ok(g) => {
            let tracks = g.nodes.iter().filter(|n| n.source.is_some()).count();
            eprintln!(
                "{}: ok ({} tracks, {} nodes, {} exports)",
                file.display(),
                tracks,
                g.nodes.len(),
                g.exports.len()
            );
            0
        }
        Err(e) => fail(&e),
    }
}

pub fn fail(e: &Error) -> u8 {
    match e {
        Error::Mix(report) => {
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            eprint!("{}", report.render(color, 100));
        }
        Error::Qc(failures) => print_qc(failures),
        other => eprintln!("error: {other}"),
    }
    e.exit_code() as u8
}

fn print_qc(failures: &[pipeline::QcFailure]) {
    eprintln!("error: delivery check failed; no output was written or replaced");
    for f in failures {
        eprintln!("  {}", f.path.display());
        let width = f.verdicts.iter().map(|v| v.check.text.len()).max().unwrap_or(0).max(5);
        eprintln!("    {:<width$}  {:>14}  result", "check", "measured");
        for v in &f.verdicts {
            let measured = format!("{:.2} {}", v.measured, v.check.metric.unit());
            let result = if v.pass { "ok" } else { "FAIL" };
            eprintln!("    {:<width$}  {:>14}  {result}", v.check.text, measured);
        }
    }
    eprintln!("help: change the mix or the master chain, or relax the `check` line");
}

/// `mixc help [PROCESSOR]`.
pub fn help(topic: Option<&str>) -> u8 {
    match topic {
        None => {
            use clap::CommandFactory;
            let _ = crate::cli::Cli::command().print_long_help();
            println!("\nProcessors (`mixc help NAME` for parameters):");
            for name in registry::names() {
                if let Some(spec) = registry::lookup(name) {
                    println!("  {:<12} {}", spec.name, spec.summary);
                }
            }
            0
        }
        Some(name) => match registry::lookup(name) {
            Some(spec) => {
                print_processor(spec);
                0
            }
            None => {
                let suggestion = mixc::diagnostic::suggest(name, registry::names());
                eprintln!("error: unknown processor `{name}`");
                if let Some(s) = suggestion {
                    eprintln!("help: did you mean `{s}`?");
                }
                2
            }
        },
    }
}

fn print_processor(spec: &registry::ProcessorSpec) {
    println!("{} — {}\n", spec.name, spec.summary);
    let positional: Vec<&str> = spec.params.iter().take(spec.positional).map(|p| p.name).collect();
    println!("  {}({}, name: value ...)\n", spec.name, positional.join(", "));
    for p in spec.params {
        let default = match p.default {
            Default::Required => "required".to_string(),
            Default::Value(v) => format!("default {}", mixc::check::value::fmt_number(v)),
            Default::Unset => "optional".to_string(),
        };
        println!("  {:<8} {:<18} {:<14} {}", p.name, p.kind.describe(), default, p.doc);
    }
}
