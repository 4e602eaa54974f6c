//! The ring of 10 ms sub-block energies behind momentary (400 ms) and
//! short-term (3 s) loudness.
//!
//! Every reading is a sum over whole sub-blocks, so M and S are evaluated every
//! 10 ms: EBU Tech 3341 cases 13 and 14 allow at most 9 ms of window
//! misalignment, which a 100 ms meter cannot meet. The sums are recomputed
//! from the ring at each step (340 additions per 10 ms) rather than kept as
//! running totals, so no rounding drift builds up over long programmes.

/// Sub-blocks in the momentary window (400 ms).
pub const STEPS_M: usize = 40;
/// Sub-blocks in the short-term window (3 s).
pub const STEPS_S: usize = 300;

/// The last [`STEPS_S`] sub-block energies; a fresh ring reads as digital silence.
pub struct Windows {
    ring: Box<[f64; STEPS_S]>,
    /// Where the next energy goes.
    pos: usize,
    /// Sub-blocks pushed since the last reset.
    steps: u64,
}

impl Windows {
    pub fn new() -> Self {
        Windows { ring: Box::new([0.0; STEPS_S]), pos: 0, steps: 0 }
    }

    pub fn reset(&mut self) {
        self.ring.fill(0.0);
        self.pos = 0;
        self.steps = 0;
    }

    /// Adds the mean weighted power of the sub-block that just ended.
    pub fn push(&mut self, energy: f64) {
        self.ring[self.pos] = energy;
        self.pos = (self.pos + 1) % STEPS_S;
        self.steps += 1;
    }

    /// Sub-blocks pushed since the last reset.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Mean power over the last `n` sub-blocks (all sub-blocks have the same length).
    pub fn mean_last(&self, n: usize) -> f64 {
        let n = n.min(STEPS_S);
        // `recent` ends with the newest entry; on wrap the rest comes from the end of `earlier`.
        let (recent, earlier) = self.ring.split_at(self.pos);
        let from_recent = n.min(recent.len());
        let from_earlier = n - from_recent;
        let sum: f64 = recent[recent.len() - from_recent..].iter().sum::<f64>()
            + earlier[earlier.len() - from_earlier..].iter().sum::<f64>();
        sum / n as f64
    }

    /// Whether the last `n` sub-blocks all hold programme (not the silence before it).
    pub fn full(&self, n: usize) -> bool {
        self.steps >= n as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_of_the_newest_blocks_across_the_wrap() {
        let mut w = Windows::new();
        for i in 0..(STEPS_S + 5) {
            w.push(i as f64);
        }
        let last = (STEPS_S + 4) as f64;
        assert_eq!(w.mean_last(1), last);
        assert_eq!(w.mean_last(10), last - 4.5);
        assert_eq!(w.mean_last(STEPS_S), last - (STEPS_S as f64 - 1.0) / 2.0);
        assert!(w.full(STEPS_S));
    }

    #[test]
    fn a_fresh_ring_reads_silence() {
        let mut w = Windows::new();
        w.push(4.0);
        assert_eq!(w.mean_last(STEPS_M), 0.1);
        assert!(!w.full(STEPS_M));
        w.reset();
        assert_eq!(w.mean_last(1), 0.0);
    }
}
