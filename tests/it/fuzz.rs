//! Bounded fuzzing on the stable toolchain (proptest): mutated `.mix` files
//! through parse + check and the formatter, and damaged audio through every
//! decoder. The parser alone is fuzzed in `src/syntax/tests/fuzz.rs`.
//!
//! CI runs `MIXC_FUZZ_CASES` cases a target (default 256); a long run:
//! `MIXC_FUZZ_CASES=20000 cargo test --test it fuzz -- --nocapture`.
//! A failure prints the minimal input; it becomes a regression case in
//! `REGRESSIONS` (text) or the corpus (`tests/it/corpus.rs`, audio).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use mixc::syntax::fmt::without_spans;

pub fn cases() -> u32 {
    std::env::var("MIXC_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.mix` in the examples and the diagnostics cases, with its path
/// (sources resolve beside it).
fn seeds() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for dir in ["examples/demo", "examples/night-drive", "examples/album", "tests/diagnostics"] {
        for entry in std::fs::read_dir(root().join(dir)).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "mix") {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push((path, text));
                }
            }
        }
    }
    out.sort();
    assert!(out.len() >= 10, "expected the example and diagnostics files");
    out
}

/// Characters that matter to the grammar, so mutations hit its shapes.
const SHAPE: &[char] = &[
    '{', '}', '(', ')', '[', ']', '"', '#', '\n', ',', ';', ':', '=', '>', '-', '+', '.', '/', '%', ' ', '0', '9', 'a',
    'd', 'B', 'k', 'H', 'z', 's', 'h', 'm',
];

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, char),
    Delete(usize),
    /// Copies a slice of the text elsewhere: duplicated settings and blocks.
    Copy(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let ch = prop_oneof![4 => proptest::sample::select(SHAPE), 1 => any::<char>()];
    prop_oneof![
        (any::<usize>(), ch).prop_map(|(at, c)| Edit::Insert(at, c)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), 0usize..40, any::<usize>()).prop_map(|(from, len, to)| Edit::Copy(from, len, to)),
    ]
}

fn boundary(text: &str, at: usize) -> usize {
    let mut i = at % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &mut String, edit: &Edit) {
    match *edit {
        Edit::Insert(at, c) => {
            let i = boundary(text, at);
            text.insert(i, c);
        }
        Edit::Delete(at) => {
            let i = boundary(text, at);
            if i < text.len() {
                text.remove(i);
            }
        }
        Edit::Copy(from, len, to) => {
            let a = boundary(text, from);
            let b = boundary(text, a + len.min(text.len() - a));
            let piece = text[a..b.max(a)].to_string();
            let i = boundary(text, to);
            text.insert_str(i, &piece);
        }
    }
}

/// Inputs that once broke something; each is run by the tests below.
const REGRESSIONS: &[&str] = &[
    // Absurd values (issue 14): each must be a diagnostic, not a hang or a panic.
    "track a { source = \"x.wav\", start = 99999999999:1 }",
    "length = -1s\ntrack a { source = \"x.wav\" }",
    "track a { source = \"x.wav\", gain = 1e9dB }",
];

fn check_text_holds(path: &Path, text: &str) {
    // Any text: a graph or a report, never a panic; report spans inside the file.
    let checked = mixc::check::check_text(path, text);
    if let Err(report) = &checked {
        assert!(!report.diagnostics.is_empty());
        let _ = report.render(false, 100);
    }
    // Formatting: parses again, is idempotent, and never changes the meaning.
    let Ok(formatted) = mixc::syntax::fmt::format(mixc::source::FileId(0), text) else { return };
    let again = mixc::syntax::fmt::format(mixc::source::FileId(0), &formatted);
    assert_eq!(again.as_deref().ok(), Some(formatted.as_str()), "fmt is not idempotent on {text:?}");
    let before = mixc::syntax::parse(mixc::source::FileId(0), text).map(|m| without_spans(&format!("{m:?}")));
    let after = mixc::syntax::parse(mixc::source::FileId(0), &formatted).map(|m| without_spans(&format!("{m:?}")));
    assert_eq!(before.ok(), after.ok(), "fmt changed the syntax tree of {text:?}");
    if let Ok(graph) = &checked {
        let reformatted = mixc::check::check_text(path, &formatted).expect("the formatted file checks");
        assert_eq!(
            without_spans(&format!("{graph:?}")),
            without_spans(&format!("{reformatted:?}")),
            "fmt changed the graph of {text:?}"
        );
    }
}

#[test]
fn mutated_mix_files_check_or_report_and_format_faithfully() {
    let seeds = seeds();
    for text in REGRESSIONS {
        check_text_holds(&seeds[0].0, text);
    }
    let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    let strategy = (any::<usize>(), proptest::collection::vec(edit(), 1..10));
    let result = runner.run(&strategy, |(which, edits)| {
        let (path, seed) = &seeds[which % seeds.len()];
        let mut text = seed.clone();
        for e in &edits {
            apply(&mut text, e);
        }
        check_text_holds(path, &text);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    println!("fuzz parse+check+fmt: {} cases, no failure", cases());
}

/// Damage: flip bytes, cut the file, or overwrite a run with noise.
#[derive(Debug, Clone)]
enum Damage {
    Flip(usize, u8),
    Cut(usize),
    Smear(usize, usize, u8),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(at, x)| Damage::Flip(at, x)),
        any::<usize>().prop_map(Damage::Cut),
        (any::<usize>(), 1usize..200, any::<u8>()).prop_map(|(at, n, x)| Damage::Smear(at, n, x)),
    ]
}

fn harm(bytes: &mut Vec<u8>, d: &Damage) {
    if bytes.is_empty() {
        return;
    }
    match *d {
        Damage::Flip(at, x) => {
            let i = at % bytes.len();
            bytes[i] ^= x;
        }
        Damage::Cut(at) => bytes.truncate(at % bytes.len()),
        Damage::Smear(at, n, x) => {
            let i = at % bytes.len();
            let end = (i + n).min(bytes.len());
            bytes[i..end].iter_mut().enumerate().for_each(|(k, b)| *b = x.wrapping_add((k as u8).wrapping_mul(31)));
        }
    }
}

/// Decodes the whole file; every sample that comes out is playable.
fn decode_holds(path: &Path) {
    let Ok(mut decoder) = mixc::io::decode::Decoder::open_any(path) else { return };
    let channels = decoder.info().channels;
    assert!(channels >= 1, "a decoder opened with no channels");
    let mut planes = vec![vec![0f32; 4096]; channels.min(64)];
    for _ in 0..100_000 {
        let mut outs: Vec<&mut [f32]> = planes.iter_mut().map(|p| p.as_mut_slice()).collect();
        match decoder.read(&mut outs) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                for p in &planes {
                    assert!(p[..n].iter().all(|x| x.abs() <= mixc::io::MAX_SAMPLE), "unplayable sample passed");
                }
            }
        }
    }
}

#[test]
fn damaged_audio_decodes_or_fails_cleanly_in_every_format() {
    let fixtures =
        ["s16.wav", "f32.wav", "ext24.wav", "flac24.flac", "aiff24.aiff", "lossy.mp3", "lossy.ogg", "lossy.opus"];
    let originals: Vec<(String, Vec<u8>)> = fixtures
        .iter()
        .map(|f| (f.to_string(), std::fs::read(root().join("tests/fixtures").join(f)).expect("fixture")))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let per_format = (cases() / 4).max(16);
    for (name, original) in &originals {
        let path = dir.path().join(name);
        let mut runner = TestRunner::new(Config { cases: per_format, failure_persistence: None, ..Config::default() });
        let result = runner.run(&proptest::collection::vec(damage(), 1..6), |damages| {
            let mut bytes = original.clone();
            for d in &damages {
                harm(&mut bytes, d);
            }
            std::fs::write(&path, &bytes).unwrap();
            decode_holds(&path);
            Ok(())
        });
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
    }
    println!("fuzz decoders: {per_format} cases for each of {} formats, no failure", originals.len());
}
