//! What a meter reports, and metering a whole file.

use std::path::Path;

use serde::Serialize;

use super::Meter;
use crate::io::decode::Decoder;
use crate::io::AudioError;

/// A meter's readings. `None` means "no reading": silence, or a programme
/// shorter than the window (400 ms for M and I, 3 s for S and LRA).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measurement {
    pub channels: usize,
    pub rate: u32,
    pub frames: u64,
    pub duration_s: f64,
    /// Integrated loudness, BS.1770 gated (LUFS).
    pub integrated_lufs: Option<f64>,
    /// Loudness range, EBU Tech 3342 (LU).
    pub loudness_range_lu: Option<f64>,
    /// Highest momentary (400 ms) loudness, evaluated every 10 ms (LUFS).
    pub max_momentary_lufs: Option<f64>,
    /// Highest short-term (3 s) loudness, evaluated every 10 ms (LUFS).
    pub max_short_term_lufs: Option<f64>,
    /// Highest absolute sample over all channels (dBFS).
    pub sample_peak_dbfs: Option<f64>,
    /// Highest 4× oversampled peak over all channels (dBTP; 2× at 96 kHz and up).
    pub true_peak_dbtp: Option<f64>,
    /// Phase correlation of the first two channels, −1…+1 (Σ L·R / √(Σ L² Σ R²));
    /// `None` for mono or when either channel is silent.
    pub correlation: Option<f64>,
}

/// Meters a whole file in any format mixc decodes, with any channel count.
pub fn measure_file(path: &Path) -> Result<Measurement, AudioError> {
    let mut decoder = Decoder::open_any(path)?;
    let info = decoder.info().clone();
    let mut meter = Meter::new(info.channels, info.rate)
        .map_err(|e| AudioError::Decode { path: path.into(), reason: e.to_string() })?;
    decoder.read_to_end(&mut |block| meter.add(block))?;
    Ok(meter.finish())
}
