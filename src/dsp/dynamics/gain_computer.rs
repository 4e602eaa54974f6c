//! The static gain computer (Giannoulis et al. 2012, the soft-knee equation):
//! level in dB → gain in dB, for compression above and expansion below a threshold.

#[cfg(test)]
use crate::dsp::lanes_f32::F32x4;
use crate::dsp::lanes_f32::Lanes;

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

    /// The static gain y_G − x_G in dB (≤ 0), limited to `range`: the
    /// [`output`](Curve::output) curve minus x, computed branch-free by [`Shape`].
    pub fn gain(&self, x: f64) -> f64 {
        Shape::new(self).gain(x)
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

/// A [`Curve`] prepared for evaluating its gain over blocks: no branches,
/// only min/max selects, so a loop over levels vectorises.
///
/// With e = σ(x − T) (σ = +1 above, −1 below the threshold), slope
/// s = 1/R − 1 (above) or 1 − R (below), and a = clamp(e + W/2, 0, W), the
/// three pieces of [`Curve::output`] minus x are one expression:
///
/// gain = s·(a²/(2W) + max(e − W/2, 0))
///
/// Under the knee a = 0 and the max is 0; in it the max is 0 and
/// a = e + W/2 gives the knee term; past it a = W adds W/2 and the max
/// e − W/2, together s·e, the straight line. A hard knee (W = 0) has a = 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    threshold: f64,
    sigma: f64,
    half_knee: f64,
    knee: f64,
    /// 1/(2W), or 0 for a hard knee (where a is 0 anyway).
    inv_2knee: f64,
    slope: f64,
    /// `range`, at most 0.
    floor: f64,
}

impl Shape {
    pub fn new(c: &Curve) -> Shape {
        let knee = c.knee.max(0.0);
        let (sigma, slope) = match c.side {
            Side::Above => (1.0, 1.0 / c.ratio - 1.0),
            Side::Below => (-1.0, 1.0 - c.ratio),
        };
        Shape {
            threshold: c.threshold,
            sigma,
            half_knee: knee / 2.0,
            knee,
            inv_2knee: if knee > 0.0 { 0.5 / knee } else { 0.0 },
            slope,
            floor: c.range.min(0.0),
        }
    }

    /// The static gain in dB for level `x` dB (see [`Curve::gain`]).
    #[inline(always)]
    pub fn gain(&self, x: f64) -> f64 {
        let e = self.sigma * (x - self.threshold);
        let a = e + self.half_knee;
        let a = if a > 0.0 { a } else { 0.0 };
        let a = if a < self.knee { a } else { self.knee };
        let past = e - self.half_knee;
        let past = if past > 0.0 { past } else { 0.0 };
        let g = self.slope * (a * a * self.inv_2knee + past);
        // A gate's infinite slope times 0 at or above its threshold is NaN:
        // no gain there. Also turns −0 into 0.
        let g = if g < 0.0 { g } else { 0.0 };
        if g > self.floor {
            g
        } else {
            self.floor
        }
    }

    /// The fields as f32, in the order [`ShapeLanes`] reads them.
    pub(crate) fn fields_f32(&self) -> [f32; SHAPE_FIELDS] {
        [self.threshold, self.sigma, self.half_knee, self.knee, self.inv_2knee, self.slope, self.floor]
            .map(|v| v as f32)
    }

    /// Detector magnitudes (lo, hi): a magnitude strictly between them gives
    /// a static gain of exactly 0 dB through [`level_lanes`](super::level_lanes)
    /// and [`ShapeLanes::gain`] (below T − W/2 for a compressor, above T + W/2
    /// for an expander).
    ///
    /// Judged in the linear domain with a margin of 1e-4 (8.7e-4 dB, far
    /// more than the error of the f32 log and the rounding in `gain`), so no
    /// log is needed; magnitudes too close to call fall outside. A compressor
    /// whose knee starts at or under the level floor has an empty band.
    pub fn zero_band(&self) -> (f32, f32) {
        const MARGIN: f64 = 1e-4;
        let edge = self.threshold - self.sigma * self.half_knee;
        let linear = crate::dsp::fastmath::from_db(edge.clamp(-700.0, 700.0));
        if self.sigma > 0.0 {
            if edge > super::LEVEL_FLOOR_DB + 0.01 {
                (-1.0, (linear * (1.0 - MARGIN)) as f32)
            } else {
                (0.0, 0.0)
            }
        } else {
            (((linear * (1.0 + MARGIN)) as f32), f32::INFINITY)
        }
    }
}

/// Fields of a [`Shape`] as [`ShapeLanes`] holds them.
pub(crate) const SHAPE_FIELDS: usize = 7;

/// A [`Shape`] on f32 lanes: one curve splatted, or one curve a lane (while
/// automation glides). Same formula as [`Shape::gain`], in f32: the static
/// gain of the block-wise dynamics stages.
#[derive(Clone, Copy)]
pub(crate) struct ShapeLanes<L>([L; SHAPE_FIELDS]);

impl<L: Lanes> ShapeLanes<L> {
    // No `array::map` here: it may stay a call, and then the AVX2 lanes
    // would not be inlined into AVX2 code.

    /// `shape` in every lane.
    #[inline(always)]
    pub fn splat(shape: &Shape) -> Self {
        let f = shape.fields_f32();
        let s = L::splat;
        ShapeLanes([s(f[0]), s(f[1]), s(f[2]), s(f[3]), s(f[4]), s(f[5]), s(f[6])])
    }

    /// Lane j from `fields[k][i + j]` (field k of [`Shape::fields_f32`]).
    #[inline(always)]
    pub fn load<const N: usize>(fields: &[[f32; N]; SHAPE_FIELDS], i: usize) -> Self {
        ShapeLanes(std::array::from_fn(
            #[inline(always)]
            |k| L::load(&fields[k][i..]),
        ))
    }

    /// The static gains in dB for the levels `x` in dB.
    #[inline(always)]
    pub fn gain(&self, x: L) -> L {
        let [threshold, sigma, half_knee, knee, inv_2knee, slope, floor] = self.0;
        let zero = L::splat(0.0);
        let e = sigma * (x - threshold);
        let a = (e + half_knee).max(zero).min(knee);
        let past = (e - half_knee).max(zero);
        let g = slope * (a * a * inv_2knee + past);
        // NaN (a gate's ∞·0) and −0 read as 0; then the range.
        g.min(zero).max(floor)
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

    #[test]
    fn zero_band_gives_exactly_no_gain() {
        for side in [Side::Above, Side::Below] {
            for (threshold, knee) in [(-30.0, 0.0), (-18.0, 6.0), (-119.0, 0.0), (-110.0, 24.0), (0.0, 48.0)] {
                let c = Curve { side, threshold, ratio: 3.0, knee, range: -40.0 };
                let shape = Shape::new(&c);
                let lanes = ShapeLanes::<F32x4>::splat(&shape);
                let (lo, hi) = shape.zero_band();
                let mut m = 1e-9f32;
                while m < 10.0 {
                    if m > lo && m < hi {
                        let g = lanes.gain(super::super::level_lanes(F32x4::splat(m))).to_array()[0];
                        assert_eq!(g.to_bits(), 0f32.to_bits(), "{side:?} T {threshold} W {knee} m {m}");
                    }
                    m *= 1.0001;
                }
                // The band reaches to within 2e-4 of its edge.
                let sigma = if side == Side::Above { 1.0 } else { -1.0 };
                let edge = 10f64.powf((threshold - sigma * knee / 2.0) / 20.0);
                if side == Side::Above && threshold - knee / 2.0 > -119.0 {
                    assert!((hi as f64 / edge - 1.0).abs() < 2e-4, "{hi} vs {edge}");
                }
                if side == Side::Below {
                    assert!((lo as f64 / edge - 1.0).abs() < 2e-4, "{lo} vs {edge}");
                }
            }
        }
    }

    /// The branch-free gain against the piecewise formula of `output`.
    #[test]
    fn shape_follows_the_piecewise_curve() {
        for side in [Side::Above, Side::Below] {
            for (ratio, knee, range) in [(4.0, 0.0, f64::NEG_INFINITY), (2.5, 6.0, -20.0), (f64::INFINITY, 0.0, -80.0)]
            {
                let c = Curve { side, threshold: -30.0, ratio, knee, range };
                for i in 0..=960 {
                    // Exact in f32 too, so both sides see the same level.
                    let x = -120.0 + i as f64 * 0.125;
                    let reference = (c.output(x) - x).min(0.0).max(range.min(0.0));
                    let g = c.gain(x);
                    assert!((g - reference).abs() < 1e-12, "{side:?} {ratio} {knee} at {x}: {g} vs {reference}");
                    assert!(g.to_bits() != (-0.0f64).to_bits());
                    let lanes = ShapeLanes::<F32x4>::splat(&Shape::new(&c)).gain(F32x4::splat(x as f32)).to_array();
                    let tolerance = 1e-5 * (1.0 + reference.abs());
                    let close = (lanes[0] as f64 - reference).abs() < tolerance || lanes[0] as f64 == reference;
                    assert!(close, "f32 lanes {side:?} {ratio} {knee} at {x}: {} vs {reference}", lanes[0]);
                    assert!(lanes[0].to_bits() != (-0.0f32).to_bits());
                }
            }
        }
    }
}
