//! Loudness meter throughput: stereo 48 kHz programme through `Meter::add`.
//!
//! Besides criterion's report, prints the speed as a multiple of real time
//! (the renderer's loudness normalisation needs ≥ 200×).

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use mixc::meter::Meter;
use std::time::Instant;

const RATE: u32 = 48_000;
const SECONDS: usize = 60;

/// A music-like stereo signal: detuned saw-ish waves, a tone, slow level changes.
fn signal() -> Vec<Vec<f32>> {
    (0..2)
        .map(|c| {
            (0..SECONDS * RATE as usize)
                .map(|n| {
                    let t = n as f64 / RATE as f64;
                    let level = 0.5 + 0.4 * (t * 0.3).sin();
                    (level * (0.3 * (t * (220.0 + c as f64)).fract() - 0.15 + 0.1 * (t * 3000.0).sin())) as f32
                })
                .collect()
        })
        .collect()
}

fn meter_all(audio: &[Vec<f32>], block: usize) -> f64 {
    let mut m = Meter::new(2, RATE).expect("meter");
    for start in (0..audio[0].len()).step_by(block) {
        let end = (start + block).min(audio[0].len());
        m.add(&[&audio[0][start..end], &audio[1][start..end]]);
    }
    m.finish().integrated_lufs.unwrap_or(f64::NAN)
}

fn bench(c: &mut Criterion) {
    let audio = signal();
    for block in [512, 4096] {
        let started = Instant::now();
        black_box(meter_all(&audio, block));
        let speed = SECONDS as f64 / started.elapsed().as_secs_f64();
        println!("meter, stereo 48 kHz, {block}-frame blocks: {speed:.0}x real time");
    }
    let mut group = c.benchmark_group("meter");
    group.throughput(Throughput::Elements((SECONDS * RATE as usize) as u64));
    group.sample_size(10);
    group.bench_function("stereo_48k_60s_block_4096", |b| b.iter(|| meter_all(black_box(&audio), 4096)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
