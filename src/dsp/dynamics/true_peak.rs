//! A 4× oversampling peak detector for true-peak limiting.
//!
//! Each channel keeps its last [`TAPS`] input samples. At every frame the
//! detector reports the largest magnitude among the sample `x[n − CENTRE]`
//! and the three interpolated points a quarter, a half and three quarters of
//! a sample after it. The interpolator is a Kaiser-windowed sinc (β = 8,
//! 32 taps a phase, each phase normalised to unity gain at DC) — longer
//! than the 12-tap-a-phase BS.1770 Annex 2 example, whose phases have DC
//! gains of 1.0016 and 0.9730 and so under-read between samples by up to
//! 0.24 dB. 16 taps a phase proved too short: on +20 dB white noise the
//! limited output still read −0.8 dBTP on the BS.1770 meter against a
//! −1 dBTP ceiling; 32 taps give −1.3 dBTP.

/// Input samples each phase reads.
pub const TAPS: usize = 32;
/// Phases between two input samples (4× oversampling).
pub const FACTOR: usize = 4;
/// Delay of the detector, in frames: frame n reports on x[n − CENTRE] and the
/// points between it and x[n − CENTRE + 1].
pub const CENTRE: usize = TAPS / 2;
const KAISER_BETA: f64 = 8.0;

/// Per-channel 4× true-peak detector.
#[derive(Debug, Clone)]
pub struct TruePeak {
    /// `phases[p][j]` weights `x[n − TAPS + 1 + j]` for the point p/4 after x[n − CENTRE].
    phases: [[f64; TAPS]; FACTOR - 1],
    /// Per channel: the history twice over so a contiguous window can always be read.
    history: Vec<[f64; 2 * TAPS]>,
    pos: usize,
}

impl TruePeak {
    pub fn new(channels: usize) -> TruePeak {
        TruePeak { phases: design(), history: vec![[0.0; 2 * TAPS]; channels], pos: 0 }
    }

    pub fn reset(&mut self) {
        self.history.iter_mut().for_each(|h| *h = [0.0; 2 * TAPS]);
        self.pos = 0;
    }

    /// Feeds one frame (`frame(c)` gives channel c's sample) and returns the
    /// peak magnitude around x[n − CENTRE], across channels.
    #[inline]
    pub fn push(&mut self, frame: impl Fn(usize) -> f64) -> f64 {
        let mut peak = 0.0f64;
        let pos = self.pos;
        for (c, h) in self.history.iter_mut().enumerate() {
            let x = frame(c);
            h[pos] = x;
            h[pos + TAPS] = x;
            // Oldest first: x[n − TAPS + 1] .. x[n].
            let window = &h[pos + 1..pos + 1 + TAPS];
            peak = peak.max(window[TAPS - 1 - CENTRE].abs());
            for taps in &self.phases {
                let v: f64 = taps.iter().zip(window).map(|(a, b)| a * b).sum();
                peak = peak.max(v.abs());
            }
        }
        self.pos = (pos + 1) % TAPS;
        peak
    }
}

/// Windowed-sinc taps of the three fractional phases.
fn design() -> [[f64; TAPS]; FACTOR - 1] {
    let mut phases = [[0.0; TAPS]; FACTOR - 1];
    let half = TAPS as f64 / 2.0;
    for (p, taps) in phases.iter_mut().enumerate() {
        let frac = (p + 1) as f64 / FACTOR as f64;
        for (j, tap) in taps.iter_mut().enumerate() {
            // Tap j reads x[n − TAPS + 1 + j]; the point sits at n − CENTRE + frac.
            let u = (TAPS - 1 - j) as f64 - CENTRE as f64 + frac;
            *tap = sinc(u) * kaiser(u / half);
        }
        let sum: f64 = taps.iter().sum();
        taps.iter_mut().for_each(|t| *t /= sum);
    }
    phases
}

fn sinc(u: f64) -> f64 {
    if u == 0.0 {
        1.0
    } else {
        (std::f64::consts::PI * u).sin() / (std::f64::consts::PI * u)
    }
}

/// Kaiser window at position r in −1..1 (0 outside).
fn kaiser(r: f64) -> f64 {
    if r.abs() > 1.0 {
        0.0
    } else {
        bessel_i0(KAISER_BETA * (1.0 - r * r).sqrt()) / bessel_i0(KAISER_BETA)
    }
}

/// Modified Bessel function of the first kind, order 0 (power series).
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term) = (1.0, 1.0);
    for k in 1..50 {
        term *= (x / (2.0 * k as f64)).powi(2);
        sum += term;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sine's peak between samples is found to within 0.05 dB up to 16 kHz at 48 kHz.
    #[test]
    fn finds_intersample_peaks_of_sines() {
        for freq in [997.0, 5000.0, 11_025.0, 16_000.0] {
            for phase in [0.0, 0.3, 0.9] {
                let mut tp = TruePeak::new(1);
                let mut peak = 0.0f64;
                for n in 0..4800 {
                    let x = (2.0 * std::f64::consts::PI * freq * n as f64 / 48_000.0 + phase).sin();
                    let p = tp.push(|_| x);
                    if n > 100 {
                        peak = peak.max(p);
                    }
                }
                // The 4× grid itself can miss the crest by cos(π f / 4fs).
                let grid = (std::f64::consts::PI * freq / 192_000.0).cos();
                let db = 20.0 * peak.log10();
                assert!(db < 0.05 && db > 20.0 * grid.log10() - 0.05, "{freq} Hz phase {phase}: {db} dB");
            }
        }
    }
}
