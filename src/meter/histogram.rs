//! Fixed-size loudness histograms: BS.1770 gating for integrated loudness and
//! the EBU Tech 3342 statistics for loudness range.
//!
//! A programme of any length fits in the same memory, so the meter never
//! allocates after construction. Bins are 0.01 LU wide and each also keeps the
//! exact sum of its blocks' energies, so power means are exact; only which
//! side of a gate a block within 0.01 LU of it falls on, and the LRA
//! percentiles (bin centres), are quantised. The `ebur128` crate's own
//! histogram mode uses 0.1 LU bins, which costs up to 0.05 LU on I.

/// Blocks at or below this loudness are dropped (BS.1770 absolute gate, strict `>`).
pub const ABSOLUTE_GATE: f64 = -70.0;
/// Loudness of the top bin's upper edge; louder blocks land in the top bin.
const TOP: f64 = 30.0;
const BIN_LU: f64 = 0.01;
const BINS: usize = ((TOP - ABSOLUTE_GATE) / BIN_LU) as usize;

/// BS.1770 loudness of a mean weighted power.
pub fn loudness(energy: f64) -> f64 {
    -0.691 + 10.0 * energy.log10()
}

/// Block counts and energy sums per 0.01 LU bin above the absolute gate.
pub struct Histogram {
    counts: Box<[u64]>,
    energies: Box<[f64]>,
}

impl Histogram {
    pub fn new() -> Self {
        Histogram { counts: vec![0; BINS].into_boxed_slice(), energies: vec![0.0; BINS].into_boxed_slice() }
    }

    pub fn reset(&mut self) {
        self.counts.fill(0);
        self.energies.fill(0.0);
    }

    /// Adds one block's mean weighted power; blocks under the absolute gate are ignored.
    pub fn add(&mut self, energy: f64) {
        let l = loudness(energy);
        if l > ABSOLUTE_GATE {
            let bin = (((l - ABSOLUTE_GATE) / BIN_LU) as usize).min(BINS - 1);
            self.counts[bin] += 1;
            self.energies[bin] += energy;
        }
    }

    fn centre(bin: usize) -> f64 {
        ABSOLUTE_GATE + (bin as f64 + 0.5) * BIN_LU
    }

    /// Loudness of the power mean of the bins from `first` up, with their block count.
    fn mean_from(&self, first: usize) -> Option<(f64, u64)> {
        let count: u64 = self.counts[first..].iter().sum();
        let energy: f64 = self.energies[first..].iter().sum();
        (count > 0).then(|| (loudness(energy / count as f64), count))
    }

    /// The first bin whose centre passes `keep`.
    fn first_bin(keep: impl Fn(f64) -> bool) -> usize {
        (0..BINS).find(|&b| keep(Self::centre(b))).unwrap_or(BINS)
    }

    /// Integrated loudness: the power mean of the blocks above the relative gate
    /// (10 LU under the mean of the blocks above the absolute gate).
    pub fn integrated(&self) -> Option<f64> {
        let (ungated, _) = self.mean_from(0)?;
        let relative_gate = ungated - 10.0;
        self.mean_from(Self::first_bin(|l| l > relative_gate)).map(|(l, _)| l)
    }

    /// Loudness range (Tech 3342) of short-term values: drop those under the power
    /// mean − 20 LU, then the spread between the 10th and 95th percentiles.
    pub fn range(&self) -> Option<f64> {
        let (ungated, _) = self.mean_from(0)?;
        let first = Self::first_bin(|l| l >= ungated - 20.0);
        let (_, n) = self.mean_from(first)?;
        // libebur128's 0-based rounding of the Tech 3342 1-based index.
        let at = |p: f64| ((n - 1) as f64 * p + 0.5) as u64;
        Some(self.value_at(first, at(0.95)) - self.value_at(first, at(0.10)))
    }

    /// The centre of the bin holding the `index`-th (0-based, ascending) block from bin `first` up.
    fn value_at(&self, first: usize, index: u64) -> f64 {
        let mut seen = 0;
        for (bin, &count) in self.counts.iter().enumerate().skip(first) {
            seen += count;
            if seen > index {
                return Self::centre(bin);
            }
        }
        Self::centre(BINS - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn power(lufs: f64) -> f64 {
        10f64.powf((lufs + 0.691) / 10.0)
    }

    #[test]
    fn integrated_is_an_exact_power_mean() {
        let mut h = Histogram::new();
        for _ in 0..10 {
            h.add(power(-23.0));
            h.add(power(-20.0));
        }
        let expected = loudness((power(-23.0) + power(-20.0)) / 2.0);
        assert!((h.integrated().unwrap_or(f64::NAN) - expected).abs() < 1e-9);
    }

    #[test]
    fn gates_drop_quiet_blocks() {
        let mut h = Histogram::new();
        assert_eq!(h.integrated(), None);
        h.add(power(-80.0));
        assert_eq!(h.integrated(), None);
        h.add(power(-20.0));
        h.add(power(-40.0)); // 20 LU under: below the relative gate
        assert!((h.integrated().unwrap_or(f64::NAN) + 20.0).abs() < 1e-9);
    }

    #[test]
    fn range_of_two_levels() {
        let mut h = Histogram::new();
        for _ in 0..100 {
            h.add(power(-20.0));
            h.add(power(-30.0));
        }
        assert!((h.range().unwrap_or(f64::NAN) - 10.0).abs() < 0.011);
        h.reset();
        assert_eq!(h.range(), None);
    }
}
