//! DSP kernel throughput: one stereo second at 48 kHz through single filters,
//! cascades and the dynamics processors.
//!
//! Besides criterion's report, prints ns per biquad per sample per channel,
//! the figure `shared/bench/README.md` compares against (scalar f32 TDF-II ≈ 1.7 ns),
//! and ns per stereo frame for the dynamics processors.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use mixc::dsp::biquad::{Biquad, BiquadCascade, BiquadSpec, FilterKind};
use mixc::dsp::dynamics::compressor::{Detect, Dynamics, DynamicsSpec};
use mixc::dsp::dynamics::limiter::{Limiter, LimiterSpec};
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

/// The dynamics processors, named: the compressor as graph M uses it on a
/// vocal track, its RMS variant, a gate and the limiters.
fn dynamics_cases() -> Vec<(String, Factory)> {
    let comp = || {
        let mut spec = DynamicsSpec::compressor(-24.0, 4.0, 0.005, 0.120);
        spec.curve.knee = 6.0;
        spec.makeup = Some(4.0);
        spec
    };
    vec![
        ("compressor".into(), Box::new(move || Box::new(Dynamics::new(comp(), &[])) as Box<dyn Processor>)),
        (
            "compressor_rms".into(),
            Box::new(move || Box::new(Dynamics::new(DynamicsSpec { detect: Detect::Rms, mix: 0.7, ..comp() }, &[]))),
        ),
        ("gate".into(), Box::new(|| Box::new(Dynamics::new(DynamicsSpec::gate(-30.0, -60.0, 0.001, 0.01, 0.05), &[])))),
        (
            "limiter_peak".into(),
            Box::new(|| {
                let spec = LimiterSpec { ceiling: -12.0, lookahead: 0.005, release: 0.05, true_peak: false };
                Box::new(Limiter::new(spec))
            }),
        ),
        (
            "limiter_true".into(),
            Box::new(|| {
                let spec = LimiterSpec { ceiling: -12.0, lookahead: 0.005, release: 0.05, true_peak: true };
                Box::new(Limiter::new(spec))
            }),
        ),
    ]
}

/// Fastest of many runs of one stereo second, in ns per frame.
fn ns_per_frame(make: &dyn Fn() -> Box<dyn Processor>, block: usize) -> f64 {
    let mut p = make();
    p.prepare(RATE, 2, block);
    let input = signal();
    let best = (0..51)
        .map(|_| {
            let mut audio = input.clone();
            let start = Instant::now();
            run(&mut *p, &mut audio, block);
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    best * 1e9 / FRAMES as f64
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
    // `DSP_ONLY=compressor` times only the cases whose name contains it (for profiling).
    let only = std::env::var("DSP_ONLY").unwrap_or_default();
    for (name, stages, make) in cases().into_iter().filter(|c| c.0.contains(&only)) {
        for block in [FRAMES, 1024] {
            let ns = ns_per_biquad_sample(&*make, stages, block);
            println!("{name:>9}, blocks of {block:>5}: {ns:.3} ns per biquad-sample-channel");
        }
    }
    for (name, make) in dynamics_cases().into_iter().filter(|c| c.0.contains(&only)) {
        for block in [1024, 32] {
            let ns = ns_per_frame(&*make, block);
            println!("{name:>14}, blocks of {block:>5}: {ns:.2} ns per stereo frame");
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
    // Fresh audio each time: the dynamics processors would otherwise squash
    // their own output further on every iteration.
    for (name, make) in dynamics_cases() {
        let mut p = make();
        p.prepare(RATE, 2, 1024);
        let input = signal();
        group.bench_function(name, |b| {
            b.iter_batched_ref(|| input.clone(), |audio| run(&mut *p, black_box(audio), 1024), BatchSize::LargeInput)
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
