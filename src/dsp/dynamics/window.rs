//! Sliding-window helpers for the lookahead limiter: a running minimum and a
//! running mean, both O(1) per frame with storage allocated up front.

/// Minimum of the last `len` values pushed (a monotonic deque in a ring).
#[derive(Debug, Clone, Default)]
pub struct MinWindow {
    /// (frame index, value), values increasing from front to back.
    slots: Vec<(u64, f64)>,
    head: usize,
    count: usize,
    len: u64,
    now: u64,
}

impl MinWindow {
    /// A window over `len` ≥ 1 frames.
    pub fn new(len: usize) -> MinWindow {
        let len = len.max(1);
        MinWindow { slots: vec![(0, 0.0); len], head: 0, count: 0, len: len as u64, now: 0 }
    }

    pub fn reset(&mut self) {
        self.head = 0;
        self.count = 0;
        self.now = 0;
    }

    /// The ring index `k` places after the head (k < len): a compare, not a
    /// division, on this per-frame path.
    #[inline(always)]
    fn slot(&self, k: usize) -> usize {
        let i = self.head + k;
        if i >= self.slots.len() {
            i - self.slots.len()
        } else {
            i
        }
    }

    /// Pushes `value` and returns the minimum of the last `len` values
    /// (values before the first push count as +∞, i.e. are absent).
    #[inline]
    pub fn push(&mut self, value: f64) -> f64 {
        // Drop larger-or-equal values from the back: they can never be the minimum again.
        while self.count > 0 && self.slots[self.slot(self.count - 1)].1 >= value {
            self.count -= 1;
        }
        // Drop the front when it has left the window (before appending, so
        // `len` slots always suffice).
        if self.count > 0 && self.slots[self.head].0 + self.len <= self.now {
            self.head = self.slot(1);
            self.count -= 1;
        }
        let back = self.slot(self.count);
        self.slots[back] = (self.now, value);
        self.count += 1;
        self.now += 1;
        self.slots[self.head].1
    }
}

/// Mean of the last `len` values pushed; values before the first push are `fill`.
///
/// The running sum is recomputed exactly each time the ring wraps, so
/// rounding error cannot build up over a long render (and the recomputation
/// happens at fixed frame counts, so block lengths do not matter).
#[derive(Debug, Clone, Default)]
pub struct MovingMean {
    ring: Vec<f64>,
    pos: usize,
    sum: f64,
    fill: f64,
}

impl MovingMean {
    pub fn new(len: usize, fill: f64) -> MovingMean {
        let len = len.max(1);
        MovingMean { ring: vec![fill; len], pos: 0, sum: fill * len as f64, fill }
    }

    pub fn reset(&mut self) {
        self.ring.fill(self.fill);
        self.pos = 0;
        self.sum = self.fill * self.ring.len() as f64;
    }

    #[inline]
    pub fn push(&mut self, value: f64) -> f64 {
        self.sum += value - self.ring[self.pos];
        self.ring[self.pos] = value;
        self.pos += 1;
        if self.pos == self.ring.len() {
            self.pos = 0;
            self.sum = self.ring.iter().sum();
        }
        self.sum / self.ring.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_min_matches_brute_force() {
        let values: Vec<f64> = (0..500).map(|i| ((i * 7919) % 101) as f64).collect();
        for len in [1, 2, 5, 17] {
            let mut w = MinWindow::new(len);
            for (i, &v) in values.iter().enumerate() {
                let expected = values[i.saturating_sub(len - 1)..=i].iter().cloned().fold(f64::INFINITY, f64::min);
                assert_eq!(w.push(v), expected, "len {len} at {i}");
            }
        }
    }

    #[test]
    fn moving_mean_of_ones_is_exactly_one() {
        let mut m = MovingMean::new(7, 1.0);
        for _ in 0..100 {
            assert_eq!(m.push(1.0), 1.0);
        }
        assert!((m.push(0.0) - 6.0 / 7.0).abs() < 1e-15);
    }
}
