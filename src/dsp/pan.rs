//! Pan laws (LANGUAGE.md "Pan"): constant-power pan for mono sources, balance for stereo ones.
//!
//! Position p runs from −1 (hard left) to +1 (hard right), i.e. the `.mix`
//! percentage divided by 100; values outside are clamped and NaN reads as
//! centre. θ = (p + 1)·π/4.
//!
//! Floating point needs help at the exact points the identity rule and tests
//! rely on: cos(π/2) is 6e-17, not 0, and √2·sin(π/4) is 0.9999999999999999.
//! So the hard positions and the centre are returned exactly, and the right
//! gain is computed as the mirror image of the left one (cos((1 − p)·π/4)
//! rather than sin θ) so that pan(−p) is exactly pan(p) with sides swapped.

use std::f64::consts::{FRAC_PI_4, SQRT_2};

fn clamp_position(p: f64) -> f64 {
    if p.is_nan() {
        0.0
    } else {
        p.clamp(-1.0, 1.0)
    }
}

/// cos((1 + p)·π/4) for p in −1..=1, exactly 0 at p = 1 and 1 at p = −1.
fn near_gain(p: f64) -> f64 {
    if p >= 1.0 {
        0.0
    } else if p <= -1.0 {
        1.0
    } else {
        ((1.0 + p) * FRAC_PI_4).cos()
    }
}

/// Gains `(L, R)` that place a mono source at `p`: L = cos θ, R = sin θ.
///
/// Constant power (L² + R² = 1); −3.01 dB per side at the centre, where both
/// gains are the same number. Hard right gives exactly `(0.0, 1.0)`.
pub fn mono_pan_gains(p: f64) -> (f64, f64) {
    let p = clamp_position(p);
    (near_gain(p), near_gain(-p))
}

/// Gains `(L, R)` that balance a stereo source at `p`:
/// L = min(1, √2·cos θ), R = min(1, √2·sin θ).
///
/// Only the far side is attenuated. The centre is exactly `(1.0, 1.0)`, so a
/// default-panned stereo track is bit-exact; hard right gives exactly `(0.0, 1.0)`.
pub fn balance_gains(p: f64) -> (f64, f64) {
    let p = clamp_position(p);
    if p == 0.0 {
        (1.0, 1.0)
    } else if p > 0.0 {
        ((SQRT_2 * near_gain(p)).min(1.0), 1.0)
    } else {
        (1.0, (SQRT_2 * near_gain(-p)).min(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(x: f64) -> f64 {
        20.0 * x.log10()
    }

    #[test]
    fn mono_centre_is_minus_3_db_per_side() {
        let (l, r) = mono_pan_gains(0.0);
        assert_eq!(l, r);
        assert!((db(l) - -3.0103).abs() < 1e-4, "{}", db(l));
    }

    #[test]
    fn mono_is_constant_power() {
        for i in -100..=100 {
            let (l, r) = mono_pan_gains(i as f64 / 100.0);
            assert!((l * l + r * r - 1.0).abs() < 1e-15, "p = {i}%");
        }
    }

    #[test]
    fn mono_follows_cos_sin_law() {
        for i in -100..=100 {
            let p = i as f64 / 100.0;
            let theta = (p + 1.0) * FRAC_PI_4;
            let (l, r) = mono_pan_gains(p);
            assert!((l - theta.cos()).abs() < 1e-15 && (r - theta.sin()).abs() < 1e-15);
        }
    }

    #[test]
    fn hard_positions_are_exact() {
        assert_eq!(mono_pan_gains(1.0), (0.0, 1.0));
        assert_eq!(mono_pan_gains(-1.0), (1.0, 0.0));
        assert_eq!(balance_gains(1.0), (0.0, 1.0));
        assert_eq!(balance_gains(-1.0), (1.0, 0.0));
        assert_eq!(mono_pan_gains(7.0), (0.0, 1.0));
    }

    #[test]
    fn balance_centre_is_exactly_unity() {
        assert_eq!(balance_gains(0.0), (1.0, 1.0));
        assert_eq!(balance_gains(-0.0), (1.0, 1.0));
        assert_eq!(balance_gains(f64::NAN), (1.0, 1.0));
    }

    #[test]
    fn balance_follows_law_and_only_cuts_far_side() {
        for i in -100..=100 {
            let p = i as f64 / 100.0;
            let theta = (p + 1.0) * FRAC_PI_4;
            let (l, r) = balance_gains(p);
            let (el, er) = ((SQRT_2 * theta.cos()).min(1.0), (SQRT_2 * theta.sin()).min(1.0));
            assert!((l - el).abs() < 1e-15 && (r - er).abs() < 1e-15, "p = {i}%");
            assert!(if p >= 0.0 { r == 1.0 } else { l == 1.0 });
        }
    }

    #[test]
    fn pan_is_mirror_symmetric() {
        for i in 0..=100 {
            let p = i as f64 / 100.0;
            let (l, r) = mono_pan_gains(p);
            assert_eq!(mono_pan_gains(-p), (r, l));
            let (l, r) = balance_gains(p);
            assert_eq!(balance_gains(-p), (r, l));
        }
    }
}
