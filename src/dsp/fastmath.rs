//! Decibel conversions for per-sample inner loops (dynamics detectors and
//! gain computers), without libm calls.
//!
//! `f64::log10` and `f64::powf` are libm calls that cost more than the rest
//! of a compressor's per-sample work together (the bench profile of graph M
//! showed a third of the render in `pow` and `log`). These use the float's
//! exponent bits plus short polynomials: relative error below 1e-12, i.e.
//! under 1e-10 dB, and the same bits on every machine (plain multiply-adds,
//! no FMA).

#[cfg(test)]
use super::lanes_f32::F32x4;
use super::lanes_f32::Lanes;
use std::f64::consts::{LN_2, SQRT_2};

// 20/ln(10): decibels per neper.
const DB_PER_NEPER: f64 = 8.685_889_638_065_037;
// ln(10)/20: nepers per decibel.
const NEPER_PER_DB: f64 = 0.115_129_254_649_702_28;
/// 2^52 as a float: OR-ing an integer below 2^52 into its mantissa and
/// subtracting it again converts the integer exactly.
const TWO_52: f64 = 4_503_599_627_370_496.0;
const MANTISSA: u64 = 0x000f_ffff_ffff_ffff;
const ONE_BITS: u64 = 0x3ff0_0000_0000_0000;
const LN2_32: f64 = LN_2 / 32.0;
/// 1.5·2^52: added and subtracted, it rounds to the nearest integer.
const MAGIC: f64 = 6_755_399_441_055_744.0;
/// [`MAGIC`] with 1023·32 folded in, see [`exp`].
const BIASED: f64 = MAGIC + 1023.0 * 32.0;
const EXP_SCALE: f64 = 32.0 * std::f64::consts::LOG2_E;

/// 20·log10(x) for x > 0 (callers floor their input first).
#[inline(always)]
pub fn to_db(x: f64) -> f64 {
    ln(x) * DB_PER_NEPER
}

/// 10^(db/20); 0 below −1000 dB.
#[inline(always)]
pub fn from_db(db: f64) -> f64 {
    // Selects rather than an early return, so blocks vectorise.
    let v = exp(if db < -1000.0 { -1000.0 } else { db } * NEPER_PER_DB);
    if db < -1000.0 {
        0.0
    } else {
        v
    }
}

/// 20·log10(x) on f32 lanes, x > 0 and normal (callers floor their
/// input first; +∞ reads as 2^128). For the block-wise dynamics stages,
/// where f32 is ample: the error stays under 5e-6 dB (about the f32
/// rounding of the result) for levels within ±100 dB of full scale, and
/// under 2e-6 dB + 1e-7 of the level beyond.
///
/// Cephes' `logf`: x = 2^e·m with m in [1/√2, √2), ln(m) = f − f²/2 + f³·P(f)
/// for f = m − 1, then the dB scale with 20·log10(2) split in an exact high
/// part and a small low one.
#[inline(always)]
pub(crate) fn to_db_lanes<L: Lanes>(x: L) -> L {
    let c = L::splat;
    let field = x.bits_shr23().bits_and(0xff).bits_to_float();
    let m = x.bits_and(0x007f_ffff).bits_or(0x3f80_0000);
    let big = m.gt_select(c(std::f32::consts::SQRT_2), c(1.0), c(0.0));
    // m/2 when m > √2 (exact), and the exponent one up.
    let m = m * (c(1.0) - big * c(0.5));
    let e = field - (c(127.0) - big);
    let f = m - c(1.0);
    let z = f * f;
    // P(f) = Σ k_i f^i by Estrin's scheme: short dependency chains, so the
    // CPU overlaps the lanes of consecutive blocks.
    let z2 = z * z;
    let low = pair(f, 3.333_333e-1, -2.499_999_4e-1) + z * pair(f, 2.000_071_5e-1, -1.666_805_8e-1);
    let high = pair(f, 1.424_932_3e-1, -1.242_014_1e-1) + z * pair(f, 1.167_699_9e-1, -1.151_461e-1);
    let p = (low + z2 * high) + (z2 * z2) * c(7.037_683_6e-2);
    let ln_m = f + (f * z * p - c(0.5) * z);
    // 20·log10(2) = 6.0205078125 (the f32 written 6.020508, whose products
    // with small exponents are exact) + 9.21e-5.
    let (db_hi, db_lo) = (6.020_508, 9.210_078e-5);
    (ln_m * c(DB_PER_NEPER as f32) + e * c(db_lo)) + e * c(db_hi)
}

/// lo + hi·x. A function rather than a closure: closures may stay calls,
/// and then AVX2 lanes would not be inlined into AVX2 code.
#[inline(always)]
fn pair<L: Lanes>(x: L, lo: f32, hi: f32) -> L {
    L::splat(lo) + L::splat(hi) * x
}

/// 10^(db/20) on f32 lanes, for db within ±750 (beyond, the ends of
/// that range). Relative error under 2e-7 + 1e-8·|db| (the f32 rounding of
/// the exponent grows with it: 1.2e-6 at ±100 dB); exactly 1 for 0 dB.
///
/// Cephes' `expf`: y = db·ln(10)/20 = n·ln2 + r with |r| ≤ ln2/2, n rounded
/// by the 1.5·2^23 trick (which also leaves n in the low mantissa bits),
/// e^r = 1 + r + r²·P(r), and 2^n put together in the exponent bits.
#[inline(always)]
pub(crate) fn from_db_lanes<L: Lanes>(db: L) -> L {
    const MAGIC: f32 = 12_582_912.0; // 1.5·2^23
    let c = L::splat;
    let y = db.max(c(-750.0)).min(c(750.0)) * c(NEPER_PER_DB as f32);
    let t = y * c(std::f32::consts::LOG2_E) + c(MAGIC);
    let n = t - c(MAGIC);
    // ln 2 = 0.693359375 (9 bits, so n·it is exact) − 2.12194440e-4.
    let r = (y - n * c(0.693_359_4)) - n * c(-2.121_944_4e-4);
    let z = r * r;
    // P(r) by Estrin's scheme, as in `to_db_lanes`.
    let p = (pair(r, 0.5, 1.666_666_5e-1) + z * pair(r, 4.166_579_6e-2, 8.333_452e-3))
        + (z * z) * pair(r, 1.398_199_9e-3, 1.987_569_1e-4);
    let er = (p * z + r) + c(1.0);
    // t's bits are MAGIC's plus n: rebias to n + 127 and move it to the exponent.
    let scale = t.bits_add(127u32.wrapping_sub(MAGIC.to_bits())).bits_shl23();
    er * scale
}

/// Natural logarithm of a positive, finite, normal `x`.
///
/// Branch-free (selects, and the exponent turned into a float through the
/// bits rather than an integer conversion) so loops over blocks vectorise.
#[inline(always)]
fn ln(x: f64) -> f64 {
    let bits = x.to_bits();
    let field = f64::from_bits(TWO_52.to_bits() | ((bits >> 52) & 0x7ff)) - TWO_52;
    // Mantissa in [1, 2), then moved to [1/√2, √2) so the series converges fast.
    let m = f64::from_bits((bits & MANTISSA) | ONE_BITS);
    let big = m > SQRT_2;
    let m = if big { m * 0.5 } else { m };
    let e = field - if big { 1022.0 } else { 1023.0 };
    // ln(m) = 2·atanh(s), s = (m−1)/(m+1), |s| < 0.172.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let series = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0)))));
    2.0 * s * series + e * LN_2
}

/// 2^(j/32) for j in 0..32, as bits: the values [`exp2_table`] builds from
/// square roots and products (both correctly rounded in IEEE arithmetic),
/// written out so the hot loops read a constant (a test checks they agree).
const EXP2_TABLE: [f64; 32] = {
    const BITS: [u64; 32] = [
        0x3ff0_0000_0000_0000,
        0x3ff0_59b0_d315_8574,
        0x3ff0_b558_6cf9_890f,
        0x3ff1_1301_d012_5b50,
        0x3ff1_72b8_3c7d_517b,
        0x3ff1_d487_3168_b9aa,
        0x3ff2_387a_6e75_6238,
        0x3ff2_9e9d_f51f_dee1,
        0x3ff3_06fe_0a31_b715,
        0x3ff3_71a7_373a_a9ca,
        0x3ff3_dea6_4c12_3422,
        0x3ff4_4e08_6061_892d,
        0x3ff4_bfda_d536_2a27,
        0x3ff5_342b_569d_4f81,
        0x3ff5_ab07_dd48_5429,
        0x3ff6_247e_b03a_5584,
        0x3ff6_a09e_667f_3bcd,
        0x3ff7_1f75_e8ec_5f74,
        0x3ff7_a114_73eb_0187,
        0x3ff8_2589_994c_ce12,
        0x3ff8_ace5_422a_a0dc,
        0x3ff9_3737_b0cd_c5e5,
        0x3ff9_c491_82a3_f090,
        0x3ffa_5503_b23e_255c,
        0x3ffa_e89f_995a_d3ae,
        0x3ffb_7f76_f2fb_5e47,
        0x3ffc_199b_dd85_529c,
        0x3ffc_b720_dcef_9069,
        0x3ffd_5818_dcfb_a488,
        0x3ffd_fc97_337b_9b5f,
        0x3ffe_a4af_a2a4_90da,
        0x3fff_5076_5b6e_4540,
    ];
    let mut t = [0.0f64; 32];
    let mut j = 0;
    while j < 32 {
        t[j] = f64::from_bits(BITS[j]);
        j += 1;
    }
    t
};

/// e^y for |y| < 700: y = (32n + j)·ln2/32 + r with |r| ≤ ln2/64, so
/// e^y = 2^n · 2^(j/32) · e^r and a degree-5 polynomial covers e^r to 1e-15.
///
/// Round to nearest by the 1.5·2^52 trick, with 1023·32 folded into the
/// constant: the low mantissa bits of the sum are then k + 1023·32 ≥ 0, whose
/// low 5 bits are j and the rest the biased exponent n + 1023 of 2^n. Only
/// float and 64-bit integer adds, masks and shifts, so blocks vectorise.
#[inline(always)]
fn exp(y: f64) -> f64 {
    let t = y * EXP_SCALE + BIASED;
    let k = t - BIASED;
    let r = y - k * LN2_32;
    let biased = t.to_bits().wrapping_sub(MAGIC.to_bits());
    let j = (biased & 31) as usize;
    let scale = f64::from_bits((biased >> 5) << 52);
    let r2 = r * r;
    // Estrin's scheme: independent halves, so the CPU overlaps them.
    let poly = (1.0 + r) + r2 * ((0.5 + r * (1.0 / 6.0)) + r2 * (1.0 / 24.0 + r * (1.0 / 120.0)));
    poly * EXP2_TABLE[j] * scale
}

/// 2^(j/32) for j in 0..32, built from square roots and products.
#[cfg(test)]
fn exp2_table() -> [f64; 32] {
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
}

/// Nearest integer for |x| < 2^51 without a libm call: adding and
/// subtracting 1.5·2^52 makes the FPU round.
#[cfg(test)]
fn round(x: f64) -> f64 {
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
    fn the_written_out_table_is_the_computed_one() {
        let bits = |t: &[f64; 32]| t.map(f64::to_bits);
        assert_eq!(bits(&EXP2_TABLE), bits(&exp2_table()));
    }

    #[test]
    fn four_lane_db_conversions_are_close_to_libm() {
        let mut worst = 0.0f64;
        let mut x = 1.2e-38f32;
        while x < 3.0e38 {
            let lanes = [x, x * 1.1, x * 1.23, x * 1.37];
            let got = to_db_lanes(F32x4::load(&lanes)).to_array();
            for (g, l) in got.iter().zip(lanes) {
                let exact = 20.0 * (l as f64).log10();
                // Beyond ±100 dB the f32 result's own rounding dominates.
                worst = worst.max((*g as f64 - exact).abs() / (2e-6 + 1e-7 * exact.abs()));
            }
            x *= 1.51;
        }
        assert!(worst < 1.0, "to_db_lanes off by {worst} of its bound");
        let mut worst_near = 0.0f64;
        let mut x = 1e-5f32;
        while x < 1e5 {
            let exact = 20.0 * (x as f64).log10();
            worst_near = worst_near.max((to_db_lanes(F32x4::splat(x)).to_array()[0] as f64 - exact).abs());
            x *= 1.0007;
        }
        assert!(worst_near < 5e-6, "to_db_lanes off by {worst_near} dB within ±100 dB");
        assert_eq!(to_db_lanes(F32x4::splat(1.0)).to_array()[0], 0.0);
        let mut worst = 0.0f64;
        let mut db = -750.0f32;
        while db < 750.0 {
            let exact = 10f64.powf(db as f64 / 20.0);
            let got = from_db_lanes(F32x4::splat(db)).to_array()[0] as f64;
            // The f32 rounding of db·ln(10)/20 grows with |db|.
            worst = worst.max(((got - exact) / exact).abs() / (2e-7 + 1e-8 * db.abs() as f64));
            db += 0.0137;
        }
        assert!(worst < 1.0, "from_db_lanes off by {worst} of its bound");
        assert_eq!(from_db_lanes(F32x4::load(&[0.0, -0.0, -2000.0, 2000.0])).to_array()[..2], [1.0, 1.0]);
        assert!(from_db_lanes(F32x4::splat(-2000.0)).to_array()[0] > 0.0, "floored at -750 dB");
        assert!(from_db_lanes(F32x4::splat(2000.0)).to_array()[0].is_finite(), "capped at +750 dB");
    }

    /// The bit-trick exp against the straightforward reduction it replaced.
    #[test]
    fn exp_matches_the_integer_reduction() {
        let reference = |y: f64| {
            let k = round(y * (32.0 * std::f64::consts::LOG2_E));
            let r = y - k * (LN_2 / 32.0);
            let ki = k as i64;
            let (n, j) = (ki >> 5, (ki & 31) as usize);
            let r2 = r * r;
            let poly = (1.0 + r) + r2 * ((0.5 + r * (1.0 / 6.0)) + r2 * (1.0 / 24.0 + r * (1.0 / 120.0)));
            poly * exp2_table()[j] * f64::from_bits(((n + 1023) as u64) << 52)
        };
        let mut y = -699.0;
        while y < 699.0 {
            assert_eq!(exp(y).to_bits(), reference(y).to_bits(), "{y}");
            y += 0.0137;
        }
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
