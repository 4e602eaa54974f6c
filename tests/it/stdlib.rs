//! The standard library: every file in `std-lib/` is embedded, imports cleanly
//! alongside the others, and every chain it defines renders pink noise to a
//! finite, unclipped, audible result with its default parameters.

use std::path::{Path, PathBuf};

use crate::common::{db, read_wav_f32, rms, sine, Project};

const RATE: u32 = 48_000;
const SECONDS: usize = 5;
/// Source level in dBFS RMS: a typical tracking level. Not -20: `vocal()` (fixed
/// by LANGUAGE.md) and `glue()` use the compressor's automatic makeup (+13 and
/// +9 dB), and on pink noise at -20 dBFS RMS their peaks land 0-2 dB over full scale.
const LEVEL_DB: f64 = -24.0;

/// `std-lib/*.mix` on disk, sorted by name.
fn std_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("std-lib");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read std-lib")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "mix"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no std-lib files found");
    files
}

/// `std/NAME.mix` for a file in `std-lib/`.
fn import_path(file: &Path) -> String {
    format!("std/{}", file.file_name().expect("file name").to_string_lossy())
}

/// The names of the `chain` definitions in one file, found by parsing it.
fn chain_names(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).expect("read std-lib file");
    let module = mixc::syntax::parse(mixc::source::FileId(0), &text)
        .unwrap_or_else(|e| panic!("{} does not parse: {e:?}", file.display()));
    module
        .items
        .iter()
        .filter_map(|item| match item {
            mixc::syntax::ast::Item::Chain(def) => Some(def.name.node.clone()),
            _ => None,
        })
        .collect()
}

/// Deterministic pink noise (Voss-McCartney, 16 rows), scaled to `rms_db` dBFS RMS.
fn pink_noise(frames: usize, seed: u64, rms_db: f64) -> Vec<f32> {
    const ROWS: usize = 16;
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut white = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let mut rows = [0.0f64; ROWS];
    let mut sum = 0.0;
    let raw: Vec<f64> = (1..=frames)
        .map(|n| {
            // Row k changes every 2^k samples: the lowest set bit of n picks it.
            let k = (n.trailing_zeros() as usize).min(ROWS - 1);
            sum -= rows[k];
            rows[k] = white();
            sum += rows[k];
            sum + white()
        })
        .collect();
    let current = (raw.iter().map(|v| v * v).sum::<f64>() / frames as f64).sqrt();
    let scale = 10f64.powf(rms_db / 20.0) / current;
    raw.iter().map(|v| (v * scale) as f32).collect()
}

/// A song that plays `noise.wav` through `chain = NAME()` into a 32-bit float export.
fn song(import: &str, chain: &str) -> String {
    format!(
        "import \"{import}\"\nrate = 48kHz\ntempo = 120bpm\n\n\
         track noise {{\n    source = \"noise.wav\"\n    chain = {chain}()\n}}\n\n\
         export \"out.wav\" {{ bits = 32f }}\n"
    )
}

/// Renders one chain and checks the output is finite, unclipped and audible.
fn render_chain(import: &str, chain: &str) -> Result<(), String> {
    let project = Project::new();
    let frames = RATE as usize * SECONDS;
    let left = pink_noise(frames, 1, LEVEL_DB);
    let right = pink_noise(frames, 2, LEVEL_DB);
    crate::common::write_wav_int(&project.path("noise.wav"), RATE, 24, &[left, right]);
    project.file("song.mix", &song(import, chain));
    let out = project.mixc(&["render", "song.mix", "--quiet"]);
    if !out.status.success() {
        return Err(format!("{chain}: mixc failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let (spec, chans) = read_wav_f32(&project.path("out.wav"));
    assert_eq!(spec.sample_format, hound::SampleFormat::Float);
    let all: Vec<f32> = chans.concat();
    if let Some(bad) = all.iter().find(|v| !v.is_finite()) {
        return Err(format!("{chain}: non-finite sample {bad}"));
    }
    let peak = all.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let level = db(rms(&all));
    if peak > 1.0 {
        return Err(format!("{chain}: clips, peak {:.2} dBFS", db(peak as f64)));
    }
    if level <= -60.0 {
        return Err(format!("{chain}: silent, RMS {level:.1} dBFS"));
    }
    Ok(())
}

#[test]
fn every_std_lib_file_is_embedded() {
    for file in std_files() {
        let path = import_path(&file);
        let embedded = mixc::check::stdlib::get(&path).unwrap_or_else(|| panic!("{path} is not in stdlib.rs"));
        let on_disk = std::fs::read_to_string(&file).expect("read std-lib file");
        assert_eq!(embedded, on_disk, "{path}: embedded text differs from the file");
    }
}

#[test]
fn every_std_lib_chain_renders_pink_noise_cleanly() {
    let jobs: Vec<(String, String)> = std_files()
        .iter()
        .flat_map(|file| {
            let import = import_path(file);
            let names = chain_names(file);
            let text = std::fs::read_to_string(file).expect("read std-lib file");
            let presets = text.lines().any(|l| l.starts_with("delivery "));
            assert!(!names.is_empty() || presets, "{import} defines no chains");
            names.into_iter().map(move |name| (import.clone(), name))
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    let queue = std::sync::Mutex::new(jobs.into_iter());
    let failures: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut errors = Vec::new();
                    while let Some((import, chain)) = { queue.lock().expect("queue").next() } {
                        errors.extend(render_chain(&import, &chain).err());
                    }
                    errors
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("render thread")).collect()
    });
    assert!(failures.is_empty(), "std-lib chains failed:\n{}", failures.join("\n"));
}

#[test]
fn all_std_lib_files_import_together() {
    let project = Project::new();
    let imports: String = std_files().iter().map(|f| format!("import \"{}\"\n", import_path(f))).collect();
    project.file("song.mix", &format!("{imports}\nmaster {{ chain = master_gentle() }}\n"));
    let out = project.mixc(&["check", "song.mix"]);
    assert!(out.status.success(), "mixc check failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Every delivery preset of `std/delivery.mix` checks, and a render with it
/// lands on its loudness (when it has one) under its ceiling.
#[test]
fn every_delivery_preset_hits_its_target() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("std-lib/delivery.mix");
    let text = std::fs::read_to_string(&file).expect("read delivery.mix");
    let presets: Vec<&str> =
        text.lines().filter_map(|l| l.strip_prefix("delivery ")).filter_map(|r| r.split_whitespace().next()).collect();
    assert!(presets.len() >= 9, "{presets:?}");
    let p = Project::new();
    let x = sine(5 * 48_000, 48_000, 1000.0, 0.05, 24);
    p.wav_int("tone.wav", 48_000, 24, &[x.clone(), x]);
    let exports: String = presets.iter().map(|name| format!("export \"{name}.wav\" {{ target = {name} }}\n")).collect();
    p.file("song.mix", &format!("import \"std/delivery.mix\"\ntrack a {{ source = \"tone.wav\" }}\n{exports}"));
    p.render_ok("song.mix", &[]);
    for name in presets {
        let m = mixc::meter::measure_file(&p.path(&format!("{name}.wav"))).expect("measure");
        let line = text.lines().find(|l| l.starts_with(&format!("delivery {name} "))).expect("line");
        let number = |key: &str, unit: &str| -> Option<f64> {
            let rest = &line[line.find(&format!("{key} = "))? + key.len() + 3..];
            rest[..rest.find(unit)?].parse().ok()
        };
        if let Some(target) = number("loudness", "LUFS") {
            let i = m.integrated_lufs.expect("loudness");
            assert!((i - target).abs() <= 0.1, "{name}: {i} LUFS, target {target}");
        }
        let ceiling = number("true_peak", "dBTP").expect("every preset has a ceiling");
        assert!(m.true_peak_dbtp.expect("tp") <= ceiling, "{name}: {:?} over {ceiling}", m.true_peak_dbtp);
    }
}
