//! `mixc render`, `check` and `help` for a song: diagnostics, progress, summaries, the processor tables.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use mixc::pipeline::{self, Error, RunOptions};
use mixc::processor::registry::{self, Default};
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
    if mixc::album::is_album(file) {
        return crate::cli::album::render(file, args);
    }
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
        if let Some((export, input)) = graph.exports_over_inputs().first() {
            eprintln!(
                "error: `{}` under `{}` would overwrite `{}`, which the song reads",
                export.written,
                dir.display(),
                input.display()
            );
            eprintln!("help: give `-o` a folder of its own");
            return 2;
        }
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
                let wavs = graph.exports.iter().filter(|e| e.container == mixc::ir::Container::Wav);
                for wav in wavs.filter(|_| graph.metadata.cover.is_some()) {
                    eprintln!("  note: `{}` carries no cover: WAV has no standard place for one", wav.written);
                }
            }
            // Concealed damage is said even with `--quiet`: it is in the record now.
            print_concealed(&summary.concealed);
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
    if let Some(bytes) = s.held_on_disk {
        eprintln!(
            "  (a long programme: its {:.1} GB master was held on disk beside the first export while mastering, \
             then removed; MIXC_HOLD_MIB sets how much stays in memory)",
            bytes as f64 / 1e9
        );
    }
    print_deliverables(&s.written);
}

/// One warning per source whose damage `on_error = conceal` replaced.
pub fn print_concealed(concealed: &[mixc::io::conceal::ConcealedIn]) {
    for c in concealed {
        eprintln!(
            "warning: `{}` is damaged; on_error = conceal replaced {}. Listen there before releasing this.",
            c.path.display(),
            c.what.describe(c.rate)
        );
    }
}

/// The per-deliverable table printed after every render.
pub fn print_deliverables(written: &[pipeline::Written]) {
    let db = |x: Option<f64>| x.map_or("-inf".to_string(), |v| format!("{v:.1}"));
    eprintln!(
        "  {:<32} {:>9} {:>6} {:>7} {:>7} {:>7} {:>13}",
        "deliverable", "LUFS", "LRA", "dBTP", "peak", "gain", "limiter max/avg"
    );
    for w in written {
        let name = w.path.display().to_string();
        let (lufs, lra, tp, peak) = match &w.measured {
            Some(m) => (
                db(m.integrated_lufs),
                m.loudness_range_lu.map_or("-".into(), |v| format!("{v:.1}")),
                db(m.true_peak_dbtp),
                db(m.sample_peak_dbfs),
            ),
            None => ("-".into(), "-".into(), "-".into(), "-".into()),
        };
        let gain = w.mastered.map_or("-".into(), |m| format!("{:+.2}", m.gain_db));
        let limiter = match w.mastered.and_then(|m| m.limiter) {
            Some(r) => format!("{:.1}/{:.2} dB", r.max_db, r.mean_db),
            None => "-".into(),
        };
        eprintln!("  {name:<32} {lufs:>9} {lra:>6} {tp:>7} {peak:>7} {gain:>7} {limiter:>13}");
        let codec = w.container.lossy_description().map_or(String::new(), |c| format!(", {c}, as decoded"));
        eprintln!("    {} at {} Hz{codec}", clock(w.frames as f64 / w.rate as f64), w.rate);
        if w.clipped > 0 {
            eprintln!(
                "    warning: {} samples clipped at full scale (the figures above are the clipped file's): \
                 turn the master down, or end its chain with `limiter(ceiling: -1dBTP)`",
                w.clipped
            );
        }
        if let Some(r) = w.mastered.and_then(|m| m.limiter).filter(|r| r.mean_db > HARD_LIMITING_DB) {
            eprintln!(
                "    warning: the limiter works hard here ({:.1} dB deepest, {:.1} dB on average, {:.0}% of the time): \
                 expect a squashed sound; a denser mix (compression, saturation) or a lower target limits less",
                r.max_db,
                r.mean_db,
                100.0 * r.active
            );
        }
    }
}

/// Average limiting above which the summary warns, dB.
pub const HARD_LIMITING_DB: f64 = 3.0;

/// `m:ss.s`
pub fn clock(seconds: f64) -> String {
    let m = (seconds / 60.0).floor();
    format!("{}:{:04.1}", m as u64, seconds - m * 60.0)
}

/// `mixc check`: returns the exit code.
pub fn check(file: &Path) -> u8 {
    if mixc::album::is_album(file) {
        return crate::cli::album::check(file);
    }
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
        Error::Target { error, .. } => {
            eprintln!("error: {e}");
            eprintln!("  no output was written or replaced");
            eprintln!("help: {}", target_help(error));
        }
        other => eprintln!("error: {other}"),
    }
    e.exit_code() as u8
}

fn target_help(error: &mixc::deliver::mastering::NormaliseError) -> &'static str {
    use mixc::deliver::mastering::NormaliseError as E;
    match error {
        E::Silent => {
            "check that the tracks reach the master (`out =`, `mute`, `solo`) and that the sources are not silent"
        }
        E::Unreachable { .. } => {
            "lower the `loudness` target, raise the `true_peak` ceiling, or make the mix denser before the limiter \
             (a compressor, or `saturate`)"
        }
        E::Clips { .. } => "add `true_peak = -1dBTP` beside `loudness` so mixc limits the peaks, or lower the target",
        E::DecodedOver { .. } => {
            "a higher `bitrate` keeps the codec's peaks closer to the master's; a lower ceiling, or a less \
             dense master, leaves the codec more room"
        }
        E::Convert { .. } => "choose another export `rate`",
        E::Held(_) => {
            "the long programme is held on disk beside the first export while it is mastered: check that disk"
        }
    }
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
    use mixc::processor::value::{fmt_in_unit, Kind};
    println!("{} — {}\n", spec.name, spec.summary);
    let positional: Vec<&str> = spec.params.iter().take(spec.positional).map(|p| p.name).collect();
    if spec.params.is_empty() {
        println!("  {}   (no parameters)", spec.name);
        return;
    }
    match positional.is_empty() {
        true => println!("  {}(name: value ...)\n", spec.name),
        false => println!("  {}({}, name: value ...)\n", spec.name, positional.join(", ")),
    }
    let rows: Vec<[String; 5]> = spec
        .params
        .iter()
        .map(|p| {
            let default = match p.default {
                Default::Required => "required".to_string(),
                Default::Value(v) => format!("default {}", fmt_in_unit(v, p.kind)),
                Default::Unset => "optional".to_string(),
            };
            let range = match p.kind {
                Kind::Name if !p.choices.is_empty() => p.choices.join(" | "),
                Kind::Name | Kind::Text | Kind::Chain | Kind::List => String::new(),
                kind => format!("{} to {}", fmt_in_unit(p.min, kind), fmt_in_unit(p.max, kind)),
            };
            [p.name.to_string(), p.kind.describe().to_string(), range, default, p.doc.to_string()]
        })
        .collect();
    let heading = ["name", "kind", "range", "default", "meaning"].map(String::from);
    let widths: Vec<usize> =
        (0..4).map(|c| rows.iter().chain([&heading]).map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    for row in std::iter::once(&heading).chain(&rows) {
        let cells: Vec<String> = (0..4).map(|c| format!("{:<w$}", row[c], w = widths[c])).collect();
        println!("  {}  {}", cells.join("  "), row[4]);
    }
}
