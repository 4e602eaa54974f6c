//! Tests of the partitioned convolution against direct time-domain convolution.

use super::*;
use crate::dsp::tests::{noise, process_blocks};

/// y[n] = Σ h[k]·x[n−k], in f64.
fn direct(x: &[f32], h: &[f32]) -> Vec<f64> {
    (0..x.len()).map(|n| h.iter().take(n + 1).enumerate().map(|(k, &hk)| hk as f64 * x[n - k] as f64).sum()).collect()
}

fn worst_error(out: &[f32], expected: &[f64]) -> f64 {
    out.iter().zip(expected).fold(0.0, |m, (&y, &e)| m.max((y as f64 - e).abs()))
}

#[test]
fn equals_direct_convolution_for_any_ir_and_block_length() {
    for ir_len in [1, 100, 5000] {
        let ir = noise(1, ir_len, 11 + ir_len as u64);
        // Scaled so the output stays near full scale: error is then relative.
        let scale = 1.0 / (ir_len as f32).sqrt();
        let ir: Vec<Vec<f32>> = vec![ir[0].iter().map(|x| x * scale).collect()];
        let input = noise(1, 12_000, 5);
        let expected = direct(&input[0], &ir[0]);
        for block in [17, 1024] {
            let mut c = Convolve::new(&ir, 1.0);
            c.prepare(48_000.0, 1, block);
            let out = process_blocks(&mut c, &input, &[block]);
            let err = worst_error(&out[0], &expected);
            println!("ir {ir_len}, blocks of {block}, partition {}: max error {err:.2e}", c.block);
            assert!(err < 1e-5, "ir {ir_len}, blocks of {block}: error {err}");
            assert_eq!(c.latency(), 0);
        }
    }
}

#[test]
fn stereo_ir_maps_left_to_left_and_right_to_right() {
    let ir = vec![vec![0.0, 1.0], vec![0.0, 0.0, -0.5]];
    let mut c = Convolve::new(&ir, 1.0);
    c.prepare(48_000.0, 2, 8);
    let out = process_blocks(&mut c, &[vec![1.0, 0.0, 0.0, 0.0], vec![1.0, 0.0, 0.0, 0.0]], &[8]);
    assert_eq!(out, vec![vec![0.0, 1.0, 0.0, 0.0], vec![0.0, 0.0, -0.5, 0.0]]);
    assert_eq!(c.tail(), 3);
}

#[test]
fn mono_ir_serves_both_sides_and_stereo_ir_averages_for_mono() {
    let mut c = Convolve::new(&[vec![0.5]], 1.0);
    c.prepare(48_000.0, 2, 8);
    let out = process_blocks(&mut c, &[vec![1.0], vec![-1.0]], &[8]);
    assert_eq!(out, vec![vec![0.5], vec![-0.5]]);
    let mut c = Convolve::new(&[vec![1.0], vec![0.5]], 1.0);
    c.prepare(48_000.0, 1, 8);
    assert_eq!(process_blocks(&mut c, &[vec![1.0]], &[8]), vec![vec![0.75]]);
}

#[test]
fn mix_blends_dry_and_an_empty_ir_is_identity() {
    let mut c = Convolve::new(&[vec![0.0, 1.0]], 0.25);
    c.prepare(48_000.0, 1, 8);
    assert_eq!(process_blocks(&mut c, &[vec![1.0, 0.0]], &[8]), vec![vec![0.75, 0.25]]);
    let input = noise(1, 300, 2);
    let mut c = Convolve::new(&[], 1.0);
    c.prepare(48_000.0, 1, 64);
    assert_eq!(process_blocks(&mut c, &input, &[64]), input);
}
