//! The static gain computer (Giannoulis et al. 2012, the soft-knee equation):
//! level in dB → gain in dB, for compression above and expansion below a threshold.

/// Which side of the threshold the curve acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Downward compression above the threshold (compressor, limiter, de-esser).
    Above,
    /// Downward expansion below the threshold (expander, gate).
    Below,
}

/// A static curve: threshold T and knee width W in dB, ratio R ≥ 1, and the
/// deepest gain it may give (`range`, dB ≤ 0; `-inf` for none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Curve {
    pub side: Side,
    pub threshold: f64,
    pub ratio: f64,
    pub knee: f64,
    pub range: f64,
}

impl Curve {
    /// The output level y_G for input level `x` (both dB).
    ///
    /// Above (compression), with T, R, W:
    /// y = x                             if 2(x−T) < −W
    /// y = x + (1/R−1)(x−T+W/2)²/(2W)    if |2(x−T)| ≤ W
    /// y = T + (x−T)/R                   if 2(x−T) > W
    ///
    /// Below (expansion) is the mirror image: slope R under T, and the knee
    /// term −(R−1)(x−T−W/2)²/(2W). A ratio of infinity below T is a gate.
    pub fn output(&self, x: f64) -> f64 {
        let (t, w) = (self.threshold, self.knee.max(0.0));
        let d = 2.0 * (x - t);
        let y = match self.side {
            Side::Above if d < -w => x,
            Side::Above if d <= w => x + (1.0 / self.ratio - 1.0) * (x - t + w / 2.0).powi(2) / (2.0 * w),
            Side::Above => t + (x - t) / self.ratio,
            Side::Below if d > w => x,
            Side::Below if d >= -w => x - (self.ratio - 1.0) * (x - t - w / 2.0).powi(2) / (2.0 * w),
            // Written as a gain so R = ∞ gives −∞ (a gate) rather than NaN at x = T.
            Side::Below => x + (self.ratio - 1.0) * (x - t),
        };
        if y.is_nan() {
            x
        } else {
            y
        }
    }

    /// The static gain y_G − x_G in dB (≤ 0), limited to `range`.
    pub fn gain(&self, x: f64) -> f64 {
        let g = (self.output(x) - x).min(0.0);
        g.max(self.range.min(0.0))
    }

    /// Automatic make-up gain in dB: −(y_G(0 dBFS) − 0), i.e. the gain that
    /// brings a 0 dBFS input back to 0 dBFS. For a hard knee it is −T(1−1/R);
    /// with a knee reaching past 0 dBFS the knee formula is used. Expanders
    /// get none (their curve is flat at 0 dBFS).
    pub fn auto_makeup(&self) -> f64 {
        match self.side {
            Side::Above => -self.gain(0.0),
            Side::Below => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comp(t: f64, r: f64, w: f64) -> Curve {
        Curve { side: Side::Above, threshold: t, ratio: r, knee: w, range: f64::NEG_INFINITY }
    }

    #[test]
    fn hard_knee_compressor_curve() {
        let c = comp(-18.0, 4.0, 0.0);
        assert_eq!(c.gain(-30.0), 0.0);
        assert_eq!(c.gain(-18.0), 0.0);
        assert!((c.gain(-10.0) - (-6.0)).abs() < 1e-12);
        assert!((c.auto_makeup() - 13.5).abs() < 1e-12);
    }

    #[test]
    fn soft_knee_is_continuous_and_meets_both_lines() {
        let c = comp(-18.0, 4.0, 6.0);
        assert_eq!(c.gain(-21.0), 0.0);
        assert!((c.output(-15.0) - (-18.0 + 3.0 / 4.0)).abs() < 1e-12);
        // At the threshold the knee sits (1/R−1)(W/2)²/(2W) = −0.28125 dB under the input.
        assert!((c.gain(-18.0) - (-0.75 * 9.0 / 12.0)).abs() < 1e-12);
        for i in 0..600 {
            let x = -21.5 + i as f64 * 0.01;
            assert!((c.output(x + 0.01) - c.output(x)).abs() < 0.0101);
        }
    }

    #[test]
    fn expander_and_gate() {
        let e = Curve { side: Side::Below, threshold: -40.0, ratio: 2.0, knee: 0.0, range: -30.0 };
        assert_eq!(e.gain(-30.0), 0.0);
        assert!((e.gain(-50.0) - (-10.0)).abs() < 1e-12);
        assert_eq!(e.gain(-100.0), -30.0);
        let g = Curve { ratio: f64::INFINITY, range: -80.0, ..e };
        assert_eq!(g.gain(-40.0), 0.0);
        assert_eq!(g.gain(-40.001), -80.0);
        assert_eq!(g.auto_makeup(), 0.0);
        let soft = Curve { knee: 10.0, range: f64::NEG_INFINITY, ..e };
        assert_eq!(soft.gain(-35.0), 0.0);
        assert!((soft.gain(-45.0) - (-5.0)).abs() < 1e-12);
        assert!((soft.gain(-40.0) - (-1.25)).abs() < 1e-12);
    }
}
