//! Float → integer quantisation: round to nearest, clip, optional TPDF dither
//! (plain or noise-shaped) that switches itself on only when it is needed.

use super::noise_shape::{filter_for_rate, Shaper};
use crate::ir::Dither;

/// Quantises f32 samples (full scale ±1) to `bits`-bit integers.
///
/// Dither is "auto": with [`Dither::Tpdf`] requested, no noise is added while
/// every sample so far sits exactly on the target grid (`x · 2^(bits-1)` is an
/// integer). The first sample that does not switches dither on for good. A
/// source already at the target depth, passed through unchanged, is therefore
/// written bit-exactly (the identity rule in LANGUAGE.md), while any processed
/// signal gets the full TPDF treatment (STANDARDS.md §6) from its first
/// off-grid sample on. [`Dither::Shaped`] follows the same rule and adds
/// error-feedback noise shaping ([`super::noise_shape`]) per channel, at the
/// rates a published filter fits; elsewhere it is plain TPDF.
///
/// Samples are taken in interleaved order: the n-th sample quantised belongs
/// to channel n mod `channels` (which only noise shaping cares about).
#[derive(Debug, Clone)]
pub struct Quantizer {
    scale: f64,
    min: f64,
    max: f64,
    want_dither: bool,
    dithering: bool,
    rng: u64,
    shaper: Option<Shaper>,
}

/// `f64::round` (halves away from zero) without its libm call: add ½ with the
/// value's sign and truncate with the conversion instruction. Exact for the
/// sums here (|v| < 2^33, so adding ½ is exact) except within one ulp below ½,
/// which dithered or f32-derived values do not reach in practice. NaN → 0
/// (the safest value to write), ±∞ saturate and are clipped after.
#[inline(always)]
fn round_half_away(v: f64) -> i64 {
    (v + 0.5f64.copysign(v)) as i64
}

impl Quantizer {
    /// `bits` in 2..=32; `seed` makes the dither noise reproducible; `rate`
    /// and `channels` (of the interleaved stream) choose and lay out the noise
    /// shaping of [`Dither::Shaped`].
    pub fn new(bits: u32, dither: Dither, seed: u64, rate: u32, channels: usize) -> Self {
        let scale = 2f64.powi(bits.clamp(2, 32) as i32 - 1);
        let shaper = match dither {
            Dither::Shaped => filter_for_rate(rate).map(|h| Shaper::new(h, channels)),
            Dither::None | Dither::Tpdf => None,
        };
        Quantizer {
            scale,
            min: -scale,
            max: scale - 1.0,
            want_dither: dither != Dither::None,
            dithering: false,
            // SplitMix64 needs no special seed, but mixing in a constant keeps
            // seed 0 from producing a run of small numbers at the start.
            rng: seed ^ 0x9E37_79B9_7F4A_7C15,
            shaper,
        }
    }

    /// Whether noise shaping is in use (asked for, and a filter fits the rate).
    pub fn is_shaping(&self) -> bool {
        self.shaper.is_some()
    }

    /// Whether the auto dither has switched on.
    pub fn is_dithering(&self) -> bool {
        self.dithering
    }

    /// One sample: scale, subtract the shaped error if shaping, dither if on,
    /// round to nearest, clip to the range.
    #[inline]
    pub fn quantize(&mut self, x: f32) -> i32 {
        let v = f64::from(x) * self.scale;
        let on_grid = |v: f64| v == round_half_away(v.clamp(self.min, self.max)) as f64;
        if self.want_dither && !self.dithering && v.is_finite() && !on_grid(v) {
            self.dithering = true;
        }
        let d = if self.dithering { self.tpdf() } else { 0.0 };
        let (lo, hi) = (self.min as i64, self.max as i64);
        let Some(shaper) = &mut self.shaper else {
            return round_half_away(v + d).clamp(lo, hi) as i32;
        };
        // Until the auto dither switches on every error is 0 (the input is on
        // the grid), so the history stays empty and the output bit-exact.
        let w = v - shaper.feedback();
        let q = round_half_away(w + d);
        let clipped = q.clamp(lo, hi);
        shaper.record((clipped == q && w.is_finite()).then_some(q as f64 - w));
        clipped as i32
    }

    /// Quantises interleaved-order samples into `out` (same length).
    pub fn quantize_into(&mut self, input: &[f32], out: &mut [i32]) {
        for (o, &x) in out.iter_mut().zip(input) {
            *o = self.quantize(x);
        }
    }

    /// Quantises equal-length channel slices into `out`, interleaved: frame
    /// by frame, so the dither sequence is that of [`Quantizer::quantize_into`]
    /// on the interleaved samples.
    pub fn quantize_planar(&mut self, planar: &[&[f32]], out: &mut Vec<i32>) {
        out.clear();
        match planar {
            [mono] => out.extend(mono.iter().map(|&x| self.quantize(x))),
            [l, r] => {
                out.reserve(2 * l.len());
                for (&a, &b) in l.iter().zip(r.iter()) {
                    let qa = self.quantize(a);
                    out.extend([qa, self.quantize(b)]);
                }
            }
            _ => {
                let n = planar.first().map_or(0, |c| c.len());
                out.extend((0..n).flat_map(|i| planar.iter().map(move |c| c[i])).map(|x| self.quantize(x)));
            }
        }
    }

    /// (u1 + u2) LSB with u ~ U(−½, ½): triangular on (−1, 1) LSB.
    #[inline]
    fn tpdf(&mut self) -> f64 {
        self.uniform() + self.uniform()
    }

    /// U(−½, ½) from SplitMix64's top 53 bits.
    #[inline]
    fn uniform(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64) - 0.5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_nearest_and_clips() {
        let mut q = Quantizer::new(16, Dither::None, 0, 44_100, 1);
        assert_eq!(q.quantize(0.5 / 32768.0 * 0.9), 0);
        assert_eq!(q.quantize(1.0 / 32768.0), 1);
        assert_eq!(q.quantize(1.0), 32767);
        assert_eq!(q.quantize(-1.0), -32768);
        assert_eq!(q.quantize(-2.0), -32768);
        assert_eq!(q.quantize(f32::NAN), 0);
    }

    #[test]
    fn on_grid_input_stays_undithered() {
        let mut q = Quantizer::new(16, Dither::Tpdf, 7, 44_100, 1);
        for i in -300..300 {
            assert_eq!(q.quantize(i as f32 / 32768.0), i);
        }
        assert!(!q.is_dithering());
        q.quantize(0.3 / 32768.0);
        assert!(q.is_dithering());
    }

    #[test]
    fn dither_is_seeded() {
        let run = |seed| {
            let mut q = Quantizer::new(16, Dither::Tpdf, seed, 44_100, 1);
            (0..1000).map(|i| q.quantize((i as f32 * 0.01).sin() * 0.1)).collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn dithered_zero_has_no_dc_and_unit_peak() {
        let mut q = Quantizer::new(16, Dither::Tpdf, 42, 44_100, 1);
        q.quantize(0.25 / 32768.0);
        let n = 200_000;
        let xs: Vec<i32> = (0..n).map(|_| q.quantize(0.0)).collect();
        let mean = xs.iter().map(|&x| f64::from(x)).sum::<f64>() / n as f64;
        let var = xs.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / n as f64;
        assert!(xs.iter().all(|x| x.abs() <= 1));
        assert!(mean.abs() < 0.01, "DC {mean}");
        // TPDF on (−1, 1) rounded: P(±1) = 1/8 each, so the variance is 1/4.
        assert!((var - 0.25).abs() < 0.01, "variance {var}");
    }

    #[test]
    fn twenty_four_bit_is_exact() {
        let mut q = Quantizer::new(24, Dither::None, 0, 44_100, 1);
        for i in [-8_388_608, -1, 0, 1, 8_388_607] {
            assert_eq!(q.quantize(i as f32 / 8_388_608.0), i);
        }
    }
}
