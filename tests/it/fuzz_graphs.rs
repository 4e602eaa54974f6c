//! Random valid graphs: tracks with random chains, buses, sends and
//! sidechains, faders and pans anywhere in their ranges. Each must check,
//! render without a non-finite sample, and give the same bits with one
//! worker thread and with two (`MIXC_FUZZ_CASES` sets the count; CI runs
//! a short form).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// An eighth of the other targets' cases: each one renders a song twice.
fn cases() -> u32 {
    (crate::fuzz::cases() / 8).max(16)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// One processor call with in-range arguments.
fn processor() -> impl Strategy<Value = String> {
    prop_oneof![
        (20u32..20_000).prop_map(|f| format!("highpass({f}Hz)")),
        (20u32..20_000).prop_map(|f| format!("lowpass({f}Hz)")),
        (20u32..20_000, -24i32..=24, 1u32..40)
            .prop_map(|(f, g, q)| format!("peak({f}Hz, {g}dB, q: {})", q as f64 / 10.0)),
        (20u32..20_000, -24i32..=24).prop_map(|(f, g)| format!("high_shelf({f}Hz, {g}dB)")),
        (-60i32..=0, 1u32..=20, 0u32..200, 1u32..2000).prop_map(|(t, r, a, rel)| format!(
            "compressor(threshold: {t}dB, ratio: {r}, attack: {a}ms, release: {rel}ms)"
        )),
        // Short and not too regenerative: the render runs until the tail falls below -90 dBFS.
        (1u32..500, 0u32..=70).prop_map(|(t, fb)| format!("delay(time: {t}ms, feedback: {fb}%, mix: 50%)")),
        (0u32..=10, 50u32..2000)
            .prop_map(|(s, d)| format!("reverb(size: {}, decay: {d}ms, mix: 30%)", s as f64 / 10.0)),
        (0u32..=200).prop_map(|w| format!("width({w}%)")),
        (-12i32..=0).prop_map(|c| format!("limiter(ceiling: {c}dB)")),
        (-48i32..=48).prop_map(|g| format!("gain({g}dB)")),
        Just("saturate()".to_string()),
        Just("polarity()".to_string()),
    ]
}

fn chain() -> impl Strategy<Value = String> {
    proptest::collection::vec(processor(), 0..4).prop_map(|p| p.join(" -> "))
}

#[derive(Debug, Clone)]
struct TrackSpec {
    source: usize,
    chain: String,
    gain: i32,
    pan: i32,
    out: Option<usize>,
    send: Option<(usize, i32)>,
    start_ms: u32,
}

fn track() -> impl Strategy<Value = TrackSpec> {
    (
        0usize..4,
        chain(),
        -60i32..=12,
        -100i32..=100,
        proptest::option::of(0usize..2),
        proptest::option::of((0usize..2, -40i32..=6)),
        0u32..300,
    )
        .prop_map(|(source, chain, gain, pan, out, send, start_ms)| TrackSpec {
            source,
            chain,
            gain,
            pan,
            out,
            send,
            start_ms,
        })
}

/// The `.mix` text of one random song.
fn song() -> impl Strategy<Value = String> {
    (proptest::collection::vec(track(), 1..5), proptest::collection::vec(chain(), 2..=2), chain(), any::<bool>())
        .prop_map(|(tracks, buses, master, key)| {
            let sources = ["s16.wav", "mono16.wav", "f32.wav", "ext24.wav"];
            let mut text = String::from("rate = 48kHz\n");
            for (i, t) in tracks.iter().enumerate() {
                text.push_str(&format!("track t{i} {{\n    source = \"{}\"\n", fixture(sources[t.source]).display()));
                if !t.chain.is_empty() {
                    text.push_str(&format!("    chain = {}\n", t.chain));
                }
                text.push_str(&format!(
                    "    gain = {}dB\n    pan = {}%\n    start = {}ms\n",
                    t.gain, t.pan, t.start_ms
                ));
                if let Some(b) = t.out {
                    text.push_str(&format!("    out = b{b}\n"));
                }
                if let Some((b, level)) = t.send.filter(|(b, _)| Some(*b) != t.out) {
                    text.push_str(&format!("    send b{b} = {level}dB\n"));
                }
                text.push_str("}\n");
            }
            for (i, c) in buses.iter().enumerate() {
                // Bus 0 may duck under track 0 (a sidechain from a track that reaches it is still acyclic).
                let chain = match (i, key) {
                    (0, true) => {
                        let duck = "compressor(threshold: -30dB, ratio: 4, attack: 5ms, release: 100ms, key: t0)";
                        if c.is_empty() {
                            duck.to_string()
                        } else {
                            format!("{c} -> {duck}")
                        }
                    }
                    _ => c.clone(),
                };
                text.push_str(&format!("bus b{i} {{\n"));
                if !chain.is_empty() {
                    text.push_str(&format!("    chain = {chain}\n"));
                }
                text.push_str("}\n");
            }
            if !master.is_empty() {
                text.push_str(&format!("master {{\n    chain = {master}\n}}\n"));
            }
            text.push_str("export \"out.wav\" { bits = 32f }\n");
            text
        })
}

/// The master output of `graph` with `threads` workers.
fn render(graph: &mixc::ir::MixGraph, threads: usize) -> Vec<Vec<f32>> {
    let options =
        mixc::pipeline::RunOptions { render: mixc::render::RenderOptions { threads: Some(threads) }, block: None };
    let plan = mixc::pipeline::make_plan(graph, options);
    let mut out = vec![Vec::new(), Vec::new()];
    let mut sink = |chunk: &[&[f32]]| -> Result<(), mixc::io::AudioError> {
        out.iter_mut().zip(chunk).for_each(|(o, c)| o.extend_from_slice(c));
        Ok(())
    };
    mixc::render::render(plan, options.render, &mut sink, &mut |_, _| {}).expect("render");
    out
}

#[test]
fn random_graphs_render_finite_and_the_same_with_one_or_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("song.mix");
    let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    let result = runner.run(&song(), |text| {
        let graph = match mixc::check::check_text(&path, &text) {
            Ok(g) => g,
            Err(report) => panic!("a valid song did not check:\n{text}\n{report}"),
        };
        let one = render(&graph, 1);
        assert!(one.iter().flatten().all(|x| x.is_finite()), "a non-finite sample:\n{text}");
        let two = render(&graph, 2);
        assert!(one == two, "one thread and two differ:\n{text}");
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    println!("fuzz graphs: {} random songs, finite and thread-count independent", cases());
}
