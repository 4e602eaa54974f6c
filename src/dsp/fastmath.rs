//! Decibel conversions for per-sample inner loops (dynamics detectors and
//! gain computers), without libm calls.
//!
//! `f64::log10` and `f64::powf` are libm calls that cost more than the rest
//! of a compressor's per-sample work together (the bench profile of graph M
//! showed a third of the render in `pow` and `log`). These use the float's
//! exponent bits plus short polynomials: relative error below 1e-12, i.e.
//! under 1e-10 dB, and the same bits on every machine (plain multiply-adds,
//! no FMA).

use std::f64::consts::{LN_2, SQRT_2};

/// 20·log10(x) for x > 0 (callers floor their input first).
#[inline]
pub fn to_db(x: f64) -> f64 {
    // 20/ln(10): decibels per neper.
    const DB_PER_NEPER: f64 = 8.685_889_638_065_037;
    ln(x) * DB_PER_NEPER
}

/// 10^(db/20); 0 below −1000 dB.
#[inline]
pub fn from_db(db: f64) -> f64 {
    // ln(10)/20: nepers per decibel.
    const NEPER_PER_DB: f64 = 0.115_129_254_649_702_28;
    if db < -1000.0 {
        return 0.0;
    }
    exp(db * NEPER_PER_DB)
}

/// Natural logarithm of a positive, finite, normal `x`.
#[inline]
fn ln(x: f64) -> f64 {
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    // Mantissa in [1, 2), then moved to [1/√2, √2) so the series converges fast.
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln(m) = 2·atanh(s), s = (m−1)/(m+1), |s| < 0.172.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let series = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0)))));
    2.0 * s * series + e as f64 * LN_2
}

/// 2^(j/32) for j in 0..32, built from square roots and products (both
/// correctly rounded in IEEE arithmetic), so the table is the same everywhere.
fn exp2_table() -> &'static [f64; 32] {
    static TABLE: std::sync::OnceLock<[f64; 32]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut roots = [0.0f64; 5]; // 2^(1/2), 2^(1/4), ... 2^(1/32)
        let mut r = 2.0f64;
        for root in &mut roots {
            r = r.sqrt();
            *root = r;
        }
        let mut t = [1.0f64; 32];
        for (j, v) in t.iter_mut().enumerate() {
            for (bit, root) in roots.iter().enumerate() {
                if j & (16 >> bit) != 0 {
                    *v *= root;
                }
            }
        }
        t
    })
}

/// e^y for |y| < 700: y = (32n + j)·ln2/32 + r with |r| ≤ ln2/64, so
/// e^y = 2^n · 2^(j/32) · e^r and a degree-5 polynomial covers e^r to 1e-15.
#[inline]
fn exp(y: f64) -> f64 {
    const LN2_32: f64 = LN_2 / 32.0;
    let k = round(y * (32.0 * std::f64::consts::LOG2_E));
    let r = y - k * LN2_32;
    let ki = k as i64;
    let (n, j) = (ki >> 5, (ki & 31) as usize);
    let r2 = r * r;
    // Estrin's scheme: independent halves, so the CPU overlaps them.
    let poly = (1.0 + r) + r2 * ((0.5 + r * (1.0 / 6.0)) + r2 * (1.0 / 24.0 + r * (1.0 / 120.0)));
    poly * exp2_table()[j] * f64::from_bits(((n + 1023) as u64) << 52)
}

/// Nearest integer for |x| < 2^51 without a libm call: adding and
/// subtracting 1.5·2^52 makes the FPU round.
#[inline(always)]
fn round(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    (x + MAGIC) - MAGIC
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_db_matches_libm() {
        let mut x: f64 = 1e-12;
        while x < 1e6 {
            let exact = 20.0 * x.log10();
            assert!((to_db(x) - exact).abs() < 1e-9, "{x}: {} vs {exact}", to_db(x));
            x *= 1.013;
        }
        assert_eq!(to_db(1.0), 0.0);
    }

    #[test]
    fn from_db_matches_libm() {
        let mut db: f64 = -300.0;
        while db < 120.0 {
            let exact = 10f64.powf(db / 20.0);
            assert!(((from_db(db) - exact) / exact).abs() < 1e-12, "{db}: {} vs {exact}", from_db(db));
            db += 0.137;
        }
        assert_eq!(from_db(0.0), 1.0);
        assert_eq!(from_db(-2000.0), 0.0);
    }
}
