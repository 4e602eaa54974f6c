//! Biquad kernel throughput: one stereo second at 48 kHz through single filters and cascades.
//!
//! Besides criterion's report, prints ns per biquad per sample per channel,
//! the figure `shared/bench/README.md` compares against (scalar f32 TDF-II ≈ 1.7 ns).

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use mixc::dsp::biquad::{Biquad, BiquadCascade, BiquadSpec, FilterKind};
use mixc::dsp::Processor;
use std::time::Instant;

const RATE: f64 = 48_000.0;
const FRAMES: usize = 48_000;

/// `n` peaking/shelving/pass stages like a channel-strip EQ.
fn specs(n: usize) -> Vec<BiquadSpec> {
    (0..n)
        .map(|i| match i % 4 {
            0 => BiquadSpec::new(FilterKind::Peak, 250.0 * (i + 1) as f64).with_gain_db(3.0),
            1 => BiquadSpec::new(FilterKind::Highpass, 30.0),
            2 => BiquadSpec::new(FilterKind::LowShelf, 120.0).with_gain_db(-2.0),
            _ => BiquadSpec::new(FilterKind::Lowpass, 16_000.0),
        })
        .collect()
}

/// A music-like stereo test signal (two detuned saw-ish waves).
fn signal() -> Vec<Vec<f32>> {
    (0..2)
        .map(|c| {
            (0..FRAMES)
                .map(|n| {
                    let t = n as f64 / RATE;
                    (0.3 * (t * (220.0 + c as f64)).fract() - 0.15 + 0.1 * (t * 3000.0).sin()) as f32
                })
                .collect()
        })
        .collect()
}

fn run(p: &mut dyn Processor, audio: &mut [Vec<f32>], block: usize) {
    let mut start = 0;
    while start < FRAMES {
        let end = FRAMES.min(start + block);
        let mut chans: Vec<&mut [f32]> = audio.iter_mut().map(|ch| &mut ch[start..end]).collect();
        p.process(&mut chans, None);
        start = end;
    }
}

/// Builds a fresh processor.
type Factory = Box<dyn Fn() -> Box<dyn Processor>>;

/// (name, number of biquad stages, factory).
fn cases() -> Vec<(String, usize, Factory)> {
    let mut list: Vec<(String, usize, Factory)> =
        vec![("biquad".into(), 1, Box::new(|| Box::new(Biquad::new(specs(1)[0]))))];
    // No stages: only the f32 → f64 → f32 conversion, the fixed cost per block.
    list.push(("empty".into(), 0, Box::new(|| Box::new(BiquadCascade::new(&[])))));
    for n in [2, 3, 4, 8] {
        list.push((format!("cascade{n}"), n, Box::new(move || Box::new(BiquadCascade::new(&specs(n))))));
    }
    list
}

/// Fastest of many runs of one stereo second, in ns per biquad per sample per
/// channel. The minimum, not the median: the build machine is shared, and
/// interference only ever adds time.
fn ns_per_biquad_sample(make: &dyn Fn() -> Box<dyn Processor>, stages: usize, block: usize) -> f64 {
    let mut p = make();
    p.prepare(RATE, 2, block);
    let mut audio = signal();
    let best = (0..101)
        .map(|_| {
            let start = Instant::now();
            run(&mut *p, &mut audio, block);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    best * 1e9 / (stages.max(1) * FRAMES * 2) as f64
}

fn bench(c: &mut Criterion) {
    for (name, stages, make) in cases() {
        for block in [FRAMES, 1024] {
            let ns = ns_per_biquad_sample(&*make, stages, block);
            println!("{name:>9}, blocks of {block:>5}: {ns:.3} ns per biquad-sample-channel");
        }
    }
    let mut group = c.benchmark_group("stereo_1s_48k");
    group.throughput(Throughput::Elements((FRAMES * 2) as u64));
    for (name, _, make) in cases() {
        let mut p = make();
        p.prepare(RATE, 2, FRAMES);
        let mut audio = signal();
        group.bench_function(name, |b| b.iter(|| run(&mut *p, black_box(&mut audio), FRAMES)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
