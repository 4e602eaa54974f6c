//! `true_peak = ... after decoding`: how far to lower the limiter's ceiling
//! so that the *decoded* lossy file holds the ceiling. Encoding raises true
//! peaks by an amount that depends on the signal and, a little, on how hard
//! it is limited, so the lowering is searched: first by the overshoot (and a
//! small margin), then by a secant step on how the decoded peak answered
//! the last lowering, kept between one and four times the overshoot.

/// Encodes before the ceiling is given up.
pub const PASSES: usize = 8;
/// Margin added to each lowering, dB.
const MARGIN_DB: f64 = 0.05;

/// The search's state: the lowering in force, and the passes so far.
#[derive(Debug, Clone, Default)]
pub struct Lowering {
    /// dB under the ceiling the limiter is set to now.
    pub db: f64,
    /// Encodes made so far.
    pub passes: usize,
    /// (lowering, overshoot) of the pass before this one.
    last: Option<(f64, f64)>,
}

impl Lowering {
    /// After an encode whose decoded file is `over` dB above the ceiling:
    /// the next lowering, or `None` once [`PASSES`] encodes were made.
    pub fn next(&mut self, over: f64) -> Option<f64> {
        self.passes += 1;
        if self.passes >= PASSES {
            return None;
        }
        let step = match self.last {
            // The overshoot fell by (before − over) for (db − lowered) dB.
            Some((lowered, before)) if before > over => over * (self.db - lowered) / (before - over),
            // Lowering did not help: try a bigger step.
            Some(_) => 4.0 * over,
            None => over,
        };
        self.last = Some((self.db, over));
        self.db += step.clamp(over, 4.0 * over) + MARGIN_DB;
        Some(self.db)
    }

    /// The overshoot of the last encode, for an error.
    pub fn last_overshoot(&self) -> f64 {
        self.last.map_or(0.0, |l| l.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A codec that adds a fixed overshoot is matched in one step; one whose
    /// overshoot grows as the limiter works harder takes secant steps and
    /// still converges; the search stops after PASSES encodes.
    #[test]
    fn the_lowering_converges_on_the_decoded_ceiling() {
        let mut l = Lowering::default();
        assert!((l.next(0.6).unwrap() - 0.65).abs() < 1e-12);
        // Decoded peak = ceiling − lowering + 0.6 + 0.3 × lowering.
        let over = |db: f64| 0.6 - 0.7 * db;
        let mut l = Lowering::default();
        let mut db = 0.0;
        while over(db) > 0.0 {
            db = l.next(over(db)).expect("converges within the passes");
        }
        assert!(l.passes <= 3, "{} encodes", l.passes + 1);
        let mut stuck = Lowering::default();
        let n = (0..20).take_while(|_| stuck.next(0.5).is_some()).count();
        assert_eq!(n, PASSES - 1);
    }
}
