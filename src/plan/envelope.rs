//! Evaluating automation lanes, sample by sample.

use crate::ir::{Breakpoint, Curve};

/// Levels below this are treated as this while interpolating in dB, so a
/// ramp from `-inf dB` rises smoothly instead of jumping at its end.
const FLOOR_DB: f64 = -120.0;

/// Frames over which a `hold` jump is spread, ending exactly on its breakpoint
/// (about 1.3 ms at 48 kHz: too short to hear as a fade, long enough not to click).
pub const HOLD_RAMP: u64 = 64;

/// A lane's breakpoints, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Envelope {
    points: Vec<Breakpoint>,
    /// Whether values are dB (interpolated with `-inf` floored).
    db: bool,
}

impl Envelope {
    /// `points` must be in time order and not empty (the checker ensures both).
    pub fn new(points: Vec<Breakpoint>, db: bool) -> Self {
        Envelope { points, db }
    }

    /// The value at `frame`: exact at every breakpoint, the first value before
    /// the first, the last after the last.
    pub fn value_at(&self, frame: u64) -> f64 {
        let next = self.points.partition_point(|p| p.frame < frame);
        match (next.checked_sub(1).map(|i| &self.points[i]), self.points.get(next)) {
            (_, Some(b)) if b.frame == frame => b.value,
            (None, Some(b)) => b.value,
            (Some(a), None) => a.value,
            (Some(a), Some(b)) => self.between(a, b, frame),
            (None, None) => 0.0,
        }
    }

    /// Fills `out[i]` with the value at `start + i`.
    pub fn fill(&self, start: u64, out: &mut [f64]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.value_at(start + i as u64);
        }
    }

    fn between(&self, a: &Breakpoint, b: &Breakpoint, frame: u64) -> f64 {
        let (va, vb) = if self.db { (a.value.max(FLOOR_DB), b.value.max(FLOOR_DB)) } else { (a.value, b.value) };
        let span = (b.frame - a.frame) as f64;
        let t = (frame - a.frame) as f64 / span;
        let shaped = match b.curve {
            Curve::Linear => t,
            Curve::Smooth => 0.5 - 0.5 * (std::f64::consts::PI * t).cos(),
            Curve::Hold => {
                let ramp = HOLD_RAMP.min(b.frame - a.frame);
                let start = b.frame - ramp;
                if frame <= start {
                    0.0
                } else {
                    (frame - start) as f64 / ramp as f64
                }
            }
        };
        let v = va + (vb - va) * shaped;
        if self.db && v <= FLOOR_DB {
            f64::NEG_INFINITY
        } else {
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bp(frame: u64, value: f64, curve: Curve) -> Breakpoint {
        Breakpoint { frame, value, curve }
    }

    #[test]
    fn exact_at_breakpoints_and_flat_outside() {
        let e = Envelope::new(vec![bp(100, -6.0, Curve::Linear), bp(200, 0.0, Curve::Smooth)], true);
        assert_eq!(e.value_at(0), -6.0);
        assert_eq!(e.value_at(100), -6.0);
        assert_eq!(e.value_at(200), 0.0);
        assert_eq!(e.value_at(10_000), 0.0);
        assert!((e.value_at(150) - -3.0).abs() < 1e-12, "smooth is symmetric: midpoint is halfway");
    }

    #[test]
    fn linear_in_db_from_minus_inf_rises_monotonically() {
        let e = Envelope::new(vec![bp(0, f64::NEG_INFINITY, Curve::Linear), bp(48_000, 0.0, Curve::Linear)], true);
        assert_eq!(e.value_at(0), f64::NEG_INFINITY);
        let mut last = f64::NEG_INFINITY;
        for f in (0..=48_000).step_by(7) {
            let v = e.value_at(f);
            assert!(v >= last, "not monotone at {f}");
            last = v;
        }
        assert!((e.value_at(24_000) - -60.0).abs() < 1e-9);
    }

    #[test]
    fn hold_keeps_the_value_then_jumps_onto_the_breakpoint() {
        let e = Envelope::new(vec![bp(0, 0.0, Curve::Linear), bp(1000, 1.0, Curve::Hold)], false);
        assert_eq!(e.value_at(1000 - HOLD_RAMP), 0.0);
        assert!(e.value_at(1000 - HOLD_RAMP / 2) > 0.4 && e.value_at(1000 - HOLD_RAMP / 2) < 0.6);
        assert_eq!(e.value_at(1000), 1.0);
    }
}
