//! `mixc preview`: the song mastered into each codec, decoded and measured
//! against the lossless master; a table (or JSON) on standard output.

use std::path::Path;

use mixc::pipeline::preview::{self, Preview};
use mixc::pipeline::{self, RunOptions};
use mixc::render::RenderOptions;

/// Returns the exit code: 0 measured, 1 `.mix` errors, 2 a bad codec list or unreadable audio.
pub fn preview(file: &Path, codecs: &str, json: bool, threads: Option<usize>) -> u8 {
    let codecs = match preview::parse_codecs(codecs) {
        Ok(c) => c,
        Err(why) => {
            eprintln!("error: --codec {why}");
            return 2;
        }
    };
    if mixc::album::is_album(file) {
        eprintln!("error: `mixc preview` takes a song; `{}` is an album", file.display());
        eprintln!("help: preview one of its songs");
        return 2;
    }
    let graph = match pipeline::check(file) {
        Ok(g) => g,
        Err(e) => return super::render::fail(&e),
    };
    let options = RunOptions { render: RenderOptions { threads }, block: None };
    let result = preview::preview(&graph, &codecs, options, &mut |_, _| {});
    match result {
        Ok(p) if json => {
            println!("{}", to_json(&p));
            0
        }
        Ok(p) => {
            print_table(file, &p);
            0
        }
        Err(e) => super::render::fail(&e),
    }
}

fn print_table(file: &Path, p: &Preview) {
    let db = |x: Option<f64>| x.map_or("-inf".to_string(), |v| format!("{v:.1}"));
    let delta = |a: Option<f64>, b: Option<f64>| match (a, b) {
        // Rounded first, so a change of -0.001 reads +0.00, not -0.00.
        (Some(a), Some(b)) => format!("{:+.2}", ((a - b) * 100.0).round() / 100.0 + 0.0),
        _ => "-".into(),
    };
    let m = &p.master;
    let ceiling = p.ceiling.map_or(String::new(), |c| format!(", ceiling {c:.1} dBTP"));
    println!(
        "{}: lossless master {} LUFS, {} dBTP{ceiling}, {}",
        file.display(),
        db(m.integrated_lufs),
        db(m.true_peak_dbtp),
        super::render::clock(m.duration_s)
    );
    println!("  {:<20} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}", "codec", "kbit/s", "LUFS", "ΔLU", "dBTP", "ΔdB", "peak");
    let mut over = Vec::new();
    for r in &p.rows {
        let c = &r.measured;
        println!(
            "  {:<20} {:>7.0} {:>7} {:>7} {:>7} {:>7} {:>7}",
            r.codec,
            r.kbps,
            db(c.integrated_lufs),
            delta(c.integrated_lufs, m.integrated_lufs),
            db(c.true_peak_dbtp),
            delta(c.true_peak_dbtp, m.true_peak_dbtp),
            db(c.sample_peak_dbfs)
        );
        let limit = p.ceiling.unwrap_or(0.0);
        if c.true_peak_dbtp.is_some_and(|tp| tp > limit) {
            over.push((r.codec.as_str(), limit));
        }
    }
    for (codec, limit) in over {
        let fix = if p.ceiling.is_some() {
            "write `true_peak = ... after decoding` on the master to hold it in the exports"
        } else {
            "a decoder's integer output clips there: add `true_peak = -1dBTP after decoding` to the master"
        };
        println!("  warning: {codec} decodes over {limit:.1} dBTP; {fix}");
    }
}

fn to_json(p: &Preview) -> String {
    let rows: Vec<serde_json::Value> = p
        .rows
        .iter()
        .map(|r| {
            let d = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a - b);
            serde_json::json!({
                "codec": r.codec,
                "rate": r.rate,
                "kbps": r.kbps,
                "measured": r.measured,
                "delta_lufs": d(r.measured.integrated_lufs, p.master.integrated_lufs),
                "delta_true_peak_db": d(r.measured.true_peak_dbtp, p.master.true_peak_dbtp),
            })
        })
        .collect();
    let value = serde_json::json!({ "master": p.master, "ceiling_dbtp": p.ceiling, "codecs": rows });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}
