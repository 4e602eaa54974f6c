//! Error-feedback noise shaping: the published filter, the rates it fits, and
//! each channel's history of requantisation errors.
//!
//! The loop (STANDARDS.md §6, SoX `dither.c`): w = v − Σ h_k·e[n−k],
//! q = round(w + d), e[n] = q − w. The output error is then
//! q − v = e[n] − Σ h_k·e[n−k], so the noise transfer function is
//! NTF(z) = 1 − Σ h_k·z^−k applied to e, which with TPDF dither d is white
//! with power Δ²/12 (rounding) + Δ²/6 (dither) = Δ²/4.

/// Taps of the error filter.
pub const TAPS: usize = 9;

/// The "improved E-weighted" 9-tap error filter for 44.1 kHz, h_1..h_9:
/// Lipshitz, Vanderkooy & Wannamaker, "Minimally Audible Noise Shaping",
/// JAES 39(11), 1991 (with Wannamaker, "Psychoacoustically Optimal Noise
/// Shaping", JAES 40(7/8), 1992). Figures as SoX's `dither.c` tabulates them
/// (`iew44`, `dither -f improved-e-weighted`) and STANDARDS.md §6 lists them;
/// SoX subtracts Σ h_k·e[n−k] from the input, our sign too. Under that sign
/// the NTF is minimum phase (zeros inside |z| = 0.96, so its log-average over
/// frequency is 0 dB, the Gerzon–Craven bound) and reads, at 44.1 kHz,
/// −16 dB below 1 kHz, −20 to −27 dB from 2 to 5 kHz, −3 dB at 8 kHz and
/// +30 dB at 20 kHz: 23 dB more noise in total, moved to where the ear is
/// least sensitive. The opposite sign would put +6 dB into 2–5 kHz instead.
pub const IMPROVED_E_WEIGHTED: [f64; TAPS] = [2.847, -4.685, 6.214, -7.184, 6.639, -5.032, 3.263, -1.632, 0.4191];

/// The centre of the rates `IMPROVED_E_WEIGHTED` serves and the leeway: SoX
/// files the table under 46 kHz and accepts rates within 5 %, i.e. 43.7 to
/// 48.3 kHz: both 44.1 and 48 kHz. At 48 kHz every feature of the curve sits
/// 9 % higher in frequency; 2–5 kHz is still −24 dB on average. Elsewhere no
/// table fits, so `shaped` is plain TPDF there (STANDARDS.md §6: disable
/// shaping for rates the table does not cover): from 88.2 kHz up the notch
/// would move to 6–9 kHz and the boost far above hearing, buying nothing
/// audible; below 43.7 kHz the +30 dB top would come down into the
/// audible band.
const TABLE_RATE: f64 = 46_000.0;
const TABLE_LEEWAY: f64 = 0.05;

/// The largest |e[n]| fed back, in LSB. With TPDF dither |e| < 1.5 always
/// (dither below 1 LSB, rounding at most ½), so this never bites in normal
/// operation; it bounds the loop against anything that would break that.
const MAX_ERROR: f64 = 1.5;

/// The error filter for `rate`, if a published one fits it.
pub fn filter_for_rate(rate: u32) -> Option<&'static [f64; TAPS]> {
    ((f64::from(rate) - TABLE_RATE).abs() <= TABLE_LEEWAY * TABLE_RATE).then_some(&IMPROVED_E_WEIGHTED)
}

/// Per-channel error histories for interleaved samples: the n-th sample
/// handed in belongs to channel n mod `channels`.
#[derive(Debug, Clone)]
pub struct Shaper {
    h: &'static [f64; TAPS],
    /// `history[c][k]` = e[n−1−k] of channel c.
    history: Vec<[f64; TAPS]>,
    channel: usize,
}

impl Shaper {
    pub fn new(h: &'static [f64; TAPS], channels: usize) -> Self {
        Shaper { h, history: vec![[0.0; TAPS]; channels.max(1)], channel: 0 }
    }

    /// Σ h_k·e[n−k] of the current channel: subtract it from the input.
    #[inline]
    pub fn feedback(&self) -> f64 {
        let e = &self.history[self.channel];
        self.h.iter().zip(e).map(|(h, e)| h * e).sum()
    }

    /// Records the current channel's error e[n] = q − w and moves on to the
    /// next channel. `None` (the output clipped, or the input was not finite)
    /// clears the channel's history instead: a clipped sample's error is not
    /// requantisation noise, and feeding it back could drive the loop into
    /// sustained overload.
    #[inline]
    pub fn record(&mut self, e: Option<f64>) {
        let hist = &mut self.history[self.channel];
        match e {
            Some(e) => {
                hist.copy_within(0..TAPS - 1, 1);
                hist[0] = e.clamp(-MAX_ERROR, MAX_ERROR);
            }
            None => *hist = [0.0; TAPS],
        }
        self.channel += 1;
        if self.channel == self.history.len() {
            self.channel = 0;
        }
    }
}

/// |NTF(e^jω)|² of `h` at `freq` Hz for `rate`: the factor by which shaping
/// multiplies the white error spectrum there.
pub fn ntf_power(h: &[f64], freq: f64, rate: f64) -> f64 {
    let w = std::f64::consts::TAU * freq / rate;
    let (re, im) = h.iter().enumerate().fold((1.0, 0.0), |(re, im), (k, h)| {
        let phase = w * (k + 1) as f64;
        (re - h * phase.cos(), im + h * phase.sin())
    });
    re * re + im * im
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_served() {
        for rate in [44_100, 48_000] {
            assert!(filter_for_rate(rate).is_some(), "{rate}");
        }
        for rate in [8_000, 32_000, 88_200, 96_000, 192_000] {
            assert!(filter_for_rate(rate).is_none(), "{rate}");
        }
    }

    /// The sign is right: the NTF is minimum phase (mean log gain 0 dB), deep
    /// in 2–5 kHz and high at the top of the band.
    #[test]
    fn ntf_shape() {
        let h = &IMPROVED_E_WEIGHTED;
        let n = 20_000;
        let mean_ln: f64 =
            (0..n).map(|i| ntf_power(h, (i as f64 + 0.5) / n as f64 * 22_050.0, 44_100.0).ln()).sum::<f64>() / n as f64;
        assert!(mean_ln.abs() < 1e-3, "mean ln |NTF|² {mean_ln}");
        let db = |f| 10.0 * ntf_power(h, f, 44_100.0).log10();
        for f in [2_000.0, 3_000.0, 4_000.0, 5_000.0] {
            assert!(db(f) < -19.0, "{f} Hz: {} dB", db(f));
        }
        assert!(db(20_000.0) > 29.0, "{}", db(20_000.0));
    }
}
