//! Measuring a delivered signal (EBU R128 through the `ebur128` crate) and
//! judging it against the song's `check` lines.

use ebur128::{EbuR128, Mode};

use crate::ir::{Metric, QcCheck};

/// What a deliverable measured.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Measured {
    /// Integrated loudness, LUFS (−inf for silence).
    pub loudness: f64,
    /// Loudness range, LU.
    pub lra: f64,
    /// dBTP, the louder channel.
    pub true_peak: f64,
    /// dBFS, the louder channel.
    pub sample_peak: f64,
    pub duration: f64,
}

impl Measured {
    pub fn get(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Loudness => self.loudness,
            Metric::TruePeak => self.true_peak,
            Metric::SamplePeak => self.sample_peak,
            Metric::LoudnessRange => self.lra,
            Metric::Duration => self.duration,
        }
    }
}

/// A running measurement of a stereo signal.
pub struct Meter {
    inner: EbuR128,
    frames: u64,
    rate: u32,
}

impl Meter {
    pub fn new(channels: usize, rate: u32) -> Option<Self> {
        let mode = Mode::I | Mode::LRA | Mode::TRUE_PEAK | Mode::SAMPLE_PEAK;
        EbuR128::new(channels as u32, rate, mode).ok().map(|inner| Meter { inner, frames: 0, rate })
    }

    pub fn add(&mut self, planar: &[&[f32]]) {
        self.frames += planar.first().map_or(0, |c| c.len()) as u64;
        let _ = self.inner.add_frames_planar_f32(planar);
    }

    pub fn finish(&self) -> Measured {
        let channels = self.inner.channels();
        let db = |x: f64| if x > 0.0 { 20.0 * x.log10() } else { f64::NEG_INFINITY };
        let max_over = |f: &dyn Fn(u32) -> f64| (0..channels).map(f).fold(0.0f64, f64::max);
        Measured {
            loudness: self.inner.loudness_global().unwrap_or(f64::NEG_INFINITY),
            lra: self.inner.loudness_range().unwrap_or(0.0),
            true_peak: db(max_over(&|c| self.inner.true_peak(c).unwrap_or(0.0))),
            sample_peak: db(max_over(&|c| self.inner.sample_peak(c).unwrap_or(0.0))),
            duration: self.frames as f64 / self.rate as f64,
        }
    }
}

/// One QC line's verdict on one deliverable.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub check: QcCheck,
    pub measured: f64,
    pub pass: bool,
}

/// Every line of `checks` against `m`.
pub fn judge(checks: &[QcCheck], m: &Measured) -> Vec<Verdict> {
    checks
        .iter()
        .map(|c| {
            let measured = m.get(c.metric);
            Verdict { check: c.clone(), measured, pass: c.bound.holds(measured) }
        })
        .collect()
}
