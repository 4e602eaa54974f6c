//! The sinc filter bank rubato's `SincFixedIn` reads from, with our own dot
//! product, and the phase shift that puts output sample 0 on input sample 0.
//!
//! Why not rubato's interpolators: their AVX kernel keeps one accumulator, so
//! a 256-tap dot product is a chain of 32 dependent FMAs (≈ 128 cycles of
//! latency) and converting was most of a render's profile. Here the taps go
//! into 64 independent lanes (a chain of 4 adds; 32 lanes still left it
//! latency-bound, measured) (SSE everywhere on x86-64, AVX when the CPU has
//! it); the lane arithmetic and reduction order are the same on every path,
//! so results do not depend on the CPU. The tables are
//! built as rubato builds them (windowed sinc, BlackmanHarris², normalised
//! for unit DC gain), computed in f64.

use rubato::sinc_interpolator::SincInterpolator;

/// Filter length in taps, a multiple of [`LANES`]. 192 rather than 256: the
/// tests measure ±0.012 dB ripple to 0.9 · Nyquist (limit 0.1), −142 dB THD+N
/// and −142 dB at 23 kHz for 48 → 44.1 kHz (limit −100), and it is 25 %
/// less work per output sample.
pub(super) const SINC_LEN: usize = 192;
/// Independent partial sums in the dot product.
const LANES: usize = 64;

/// `factor` sub-sample phases of a `SINC_LEN`-tap low-pass, read `shift`
/// phases later than rubato asks for (see `converter.rs` for the derivation).
pub(super) struct Polyphase {
    /// Phase `s` occupies `taps[s * SINC_LEN..(s + 1) * SINC_LEN]`.
    taps: Vec<f32>,
    factor: isize,
    shift: isize,
    avx: bool,
}

/// Periodic Blackman–Harris window, squared (rubato's `BlackmanHarris2`).
fn window(n: usize) -> Vec<f64> {
    let tau = std::f64::consts::TAU;
    (0..n)
        .map(|x| {
            let t = x as f64 / n as f64;
            let w =
                0.35875 - 0.48829 * (tau * t).cos() + 0.14128 * (2.0 * tau * t).cos() - 0.01168 * (3.0 * tau * t).cos();
            w * w
        })
        .collect()
}

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        (x * std::f64::consts::PI).sin() / (x * std::f64::consts::PI)
    }
}

impl Polyphase {
    /// `cutoff` is relative to the input Nyquist.
    pub(super) fn new(factor: usize, cutoff: f64, shift: isize) -> Self {
        let total = SINC_LEN * factor;
        let w = window(total);
        let y: Vec<f64> =
            (0..total).map(|x| w[x] * sinc((x as f64 - (total / 2) as f64) * cutoff / factor as f64)).collect();
        let gain = y.iter().sum::<f64>() / factor as f64;
        let mut taps = vec![0f32; total];
        // rubato's layout: phase factor − 1 − n holds every factor-th point from n.
        for p in 0..SINC_LEN {
            for n in 0..factor {
                taps[(factor - n - 1) * SINC_LEN + p] = (y[factor * p + n] / gain) as f32;
            }
        }
        Polyphase { taps, factor: factor as isize, shift, avx: has_avx() }
    }
}

fn has_avx() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The dot product in `LANES` independent sums (lane `k` takes taps
/// `k, k + LANES, …`), reduced in a fixed order. The portable reference; the
/// x86-64 kernels below compute exactly the same sums.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn dot_lanes(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    for (x, y) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
        for k in 0..LANES {
            acc[k] += x[k] * y[k];
        }
    }
    reduce(acc)
}

/// Pairwise halving: the same order whatever produced the lanes.
#[inline(always)]
fn reduce(mut acc: [f32; LANES]) -> f32 {
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for k in 0..width {
            acc[k] += acc[k + width];
        }
    }
    acc[0]
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    // The intrinsics became safe to call in Rust 1.87; the MSRV is 1.85.
    #![allow(unused_unsafe)]
    use super::{reduce, LANES};
    use std::arch::x86_64::*;

    /// SSE (x86-64 baseline): sixteen 4-lane sums. The compiler's own
    /// vectorisation of the portable loop used 2-lane loads (measured).
    pub(super) fn dot_sse(a: &[f32], b: &[f32]) -> f32 {
        let mut acc = [unsafe { _mm_setzero_ps() }; LANES / 4];
        for (x, y) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
            for (j, acc) in acc.iter_mut().enumerate() {
                // SAFETY: chunks are LANES long, so 4j..4j + 4 is in bounds.
                unsafe {
                    let p = _mm_mul_ps(_mm_loadu_ps(x.as_ptr().add(4 * j)), _mm_loadu_ps(y.as_ptr().add(4 * j)));
                    *acc = _mm_add_ps(*acc, p);
                }
            }
        }
        let mut lanes = [0f32; LANES];
        for (j, v) in acc.iter().enumerate() {
            // SAFETY: 4 floats stored at 4j..4j + 4 ≤ LANES.
            unsafe { _mm_storeu_ps(lanes.as_mut_ptr().add(4 * j), *v) };
        }
        reduce(lanes)
    }

    /// AVX: eight 8-lane sums, the same per-lane arithmetic as [`dot_sse`]
    /// (multiply, then add; no FMA), so both give bit-identical results.
    #[target_feature(enable = "avx")]
    pub(super) unsafe fn dot_avx(a: &[f32], b: &[f32]) -> f32 {
        let mut acc = [unsafe { _mm256_setzero_ps() }; LANES / 8];
        for (x, y) in a.chunks_exact(LANES).zip(b.chunks_exact(LANES)) {
            for (j, acc) in acc.iter_mut().enumerate() {
                // SAFETY: chunks are LANES long, so 8j..8j + 8 is in bounds.
                unsafe {
                    let p =
                        _mm256_mul_ps(_mm256_loadu_ps(x.as_ptr().add(8 * j)), _mm256_loadu_ps(y.as_ptr().add(8 * j)));
                    *acc = _mm256_add_ps(*acc, p);
                }
            }
        }
        let mut lanes = [0f32; LANES];
        for (j, v) in acc.iter().enumerate() {
            // SAFETY: 8 floats stored at 8j..8j + 8 ≤ LANES.
            unsafe { _mm256_storeu_ps(lanes.as_mut_ptr().add(8 * j), *v) };
        }
        reduce(lanes)
    }
}

/// The fastest kernel this CPU has.
#[inline(always)]
fn dot(a: &[f32], b: &[f32], avx: bool) -> f32 {
    #[cfg(target_arch = "x86_64")]
    {
        if avx {
            // SAFETY: `avx` is true only when the CPU reports AVX.
            return unsafe { x86::dot_avx(a, b) };
        }
        x86::dot_sse(a, b)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = avx;
        dot_lanes(a, b)
    }
}

impl SincInterpolator<f32> for Polyphase {
    fn get_sinc_interpolated(&self, wave: &[f32], index: usize, subindex: usize) -> f32 {
        let t = index as isize * self.factor + subindex as isize + self.shift;
        let (i, s) = (t.div_euclid(self.factor) as usize, t.rem_euclid(self.factor) as usize);
        // |shift| is about one sample; rubato's buffers keep more margin than that.
        let x = &wave[i..i + SINC_LEN];
        let h = &self.taps[s * SINC_LEN..(s + 1) * SINC_LEN];
        dot(x, h, self.avx)
    }

    fn len(&self) -> usize {
        SINC_LEN
    }

    fn nbr_sincs(&self) -> usize {
        self.factor as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_have_unit_dc_gain_and_lanes_match_a_plain_sum() {
        let p = Polyphase::new(160, 0.95, 0);
        for s in [0, 37, 159] {
            let h = &p.taps[s * SINC_LEN..(s + 1) * SINC_LEN];
            let dc: f64 = h.iter().map(|&v| f64::from(v)).sum();
            assert!((dc - 1.0).abs() < 1e-4, "phase {s}: DC gain {dc}");
        }
        let x: Vec<f32> = (0..SINC_LEN).map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0).collect();
        let h = &p.taps[..SINC_LEN];
        let plain: f64 = x.iter().zip(h).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum();
        let reference = dot_lanes(&x, h);
        assert!((f64::from(reference) - plain).abs() < 1e-5);
        for avx in [false, has_avx()] {
            assert_eq!(dot(&x, h, avx).to_bits(), reference.to_bits(), "AVX {avx}");
        }
    }
}
