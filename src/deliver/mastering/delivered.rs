//! What a deliverable will hold, computed in memory so that it can be
//! measured before anything is written: the programme converted to the
//! export's rate, and the exact quantised samples the encoder will write.

use super::Programme;
use crate::deliver::quantize::Quantizer;
use crate::io::resample::StreamResampler;
use crate::ir::{Export, SampleFormat};
use crate::meter::{Measurement, Meter};

/// Frames per resampler and meter call (results do not depend on it).
const CHUNK: usize = 16_384;

/// `programme` at `rate` (the same programme when the rate already matches).
pub fn convert(programme: Programme, rate: u32) -> Result<Programme, String> {
    if programme.rate == rate {
        return Ok(programme);
    }
    let channels = programme.channels.len();
    let mut resampler = StreamResampler::new(channels, programme.rate, rate)?;
    let expected = (programme.frames() as f64 * rate as f64 / programme.rate as f64).round() as usize;
    let mut out: Vec<Vec<f32>> = (0..channels).map(|_| Vec::with_capacity(expected + CHUNK)).collect();
    let mut start = 0;
    while start < programme.frames() {
        let end = (start + CHUNK).min(programme.frames());
        let chunk: Vec<&[f32]> = programme.channels.iter().map(|c| &c[start..end]).collect();
        resampler.process(&chunk, &mut out)?;
        start = end;
    }
    resampler.finish(&mut out)?;
    Ok(Programme { rate, channels: out })
}

/// Measures `programme` exactly as `export` will store it: quantised with the
/// encoder's quantiser and dither seed (so sample for sample what the file
/// holds), or as is for 32-bit float.
pub fn measure(programme: &Programme, export: &Export, seed: u64) -> Measurement {
    // Stereo at a supported rate: `Meter::new` cannot fail here.
    let Ok(mut meter) = Meter::new(programme.channels.len(), programme.rate) else {
        return empty(programme);
    };
    let bits = export.format.bits();
    let channels = programme.channels.len();
    let mut quantizer = (export.format != SampleFormat::F32)
        .then(|| Quantizer::new(bits, export.dither, seed, programme.rate, channels));
    let scale = 1.0 / 2f64.powi(bits as i32 - 1);
    let mut ints = Vec::new();
    let mut planar: Vec<Vec<f32>> = vec![Vec::with_capacity(CHUNK); programme.channels.len()];
    let mut start = 0;
    while start < programme.frames() {
        let end = (start + CHUNK).min(programme.frames());
        let chunk: Vec<&[f32]> = programme.channels.iter().map(|c| &c[start..end]).collect();
        match &mut quantizer {
            None => meter.add(&chunk),
            Some(q) => {
                q.quantize_planar(&chunk, &mut ints);
                let n = chunk.len();
                for (c, p) in planar.iter_mut().enumerate() {
                    p.clear();
                    p.extend(ints.iter().skip(c).step_by(n).map(|&v| (v as f64 * scale) as f32));
                }
                let view: Vec<&[f32]> = planar.iter().map(|p| p.as_slice()).collect();
                meter.add(&view);
            }
        }
        start = end;
    }
    meter.finish()
}

fn empty(programme: &Programme) -> Measurement {
    Measurement {
        channels: programme.channels.len(),
        rate: programme.rate,
        frames: programme.frames() as u64,
        duration_s: programme.frames() as f64 / programme.rate.max(1) as f64,
        integrated_lufs: None,
        loudness_range_lu: None,
        max_momentary_lufs: None,
        max_short_term_lufs: None,
        sample_peak_dbfs: None,
        true_peak_dbtp: None,
        correlation: None,
    }
}
