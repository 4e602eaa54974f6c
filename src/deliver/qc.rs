//! Judging a delivered file's measurement (see [`crate::meter`]) against the
//! song's `check` lines.

use crate::ir::{Metric, QcCheck};
use crate::meter::Measurement;

/// A delivered file's reading of `metric` (silence reads −∞ dB, no LRA 0 LU).
pub fn reading(m: &Measurement, metric: Metric) -> f64 {
    let db = |x: Option<f64>| x.unwrap_or(f64::NEG_INFINITY);
    match metric {
        Metric::Loudness => db(m.integrated_lufs),
        Metric::TruePeak => db(m.true_peak_dbtp),
        Metric::SamplePeak => db(m.sample_peak_dbfs),
        Metric::LoudnessRange => m.loudness_range_lu.unwrap_or(0.0),
        Metric::Duration => m.duration_s,
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
pub fn judge(checks: &[QcCheck], m: &Measurement) -> Vec<Verdict> {
    checks
        .iter()
        .map(|c| {
            let measured = reading(m, c.metric);
            Verdict { check: c.clone(), measured, pass: c.bound.holds(measured) }
        })
        .collect()
}
