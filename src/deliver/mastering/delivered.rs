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
    let mut measurer = Measurer::new(export, programme.rate, programme.channels.len(), seed);
    let mut start = 0;
    while start < programme.frames() {
        let end = (start + CHUNK).min(programme.frames());
        let chunk: Vec<&[f32]> = programme.channels.iter().map(|c| &c[start..end]).collect();
        measurer.add(&chunk);
        start = end;
    }
    measurer.finish()
}

/// [`measure`] as a stream: chunks of the delivered signal in, in order
/// (the quantiser's dither and noise shaping run on across chunks, so any
/// chunking gives the same measurement).
pub struct Measurer {
    meter: Option<Meter>,
    quantizer: Option<Quantizer>,
    scale: f64,
    ints: Vec<i32>,
    planar: Vec<Vec<f32>>,
    rate: u32,
    channels: usize,
    frames: u64,
}

impl Measurer {
    pub fn new(export: &Export, rate: u32, channels: usize, seed: u64) -> Measurer {
        let bits = export.format.bits();
        Measurer {
            // Stereo at a supported rate: `Meter::new` cannot fail here.
            meter: Meter::new(channels, rate).ok(),
            quantizer: (export.format != SampleFormat::F32)
                .then(|| Quantizer::new(bits, export.dither, seed, rate, channels)),
            scale: 1.0 / 2f64.powi(bits as i32 - 1),
            ints: Vec::new(),
            planar: vec![Vec::with_capacity(CHUNK); channels],
            rate,
            channels,
            frames: 0,
        }
    }

    pub fn add(&mut self, chunk: &[&[f32]]) {
        self.frames += chunk.first().map_or(0, |c| c.len()) as u64;
        let Some(meter) = &mut self.meter else { return };
        match &mut self.quantizer {
            None => meter.add(chunk),
            Some(q) => {
                q.quantize_planar(chunk, &mut self.ints);
                let n = chunk.len();
                for (c, p) in self.planar.iter_mut().enumerate() {
                    p.clear();
                    p.extend(self.ints.iter().skip(c).step_by(n).map(|&v| (v as f64 * self.scale) as f32));
                }
                let view: Vec<&[f32]> = self.planar.iter().map(|p| p.as_slice()).collect();
                meter.add(&view);
            }
        }
    }

    pub fn finish(self) -> Measurement {
        match self.meter {
            Some(meter) => meter.finish(),
            None => empty(self.channels, self.rate, self.frames),
        }
    }
}

fn empty(channels: usize, rate: u32, frames: u64) -> Measurement {
    Measurement {
        channels,
        rate,
        frames,
        duration_s: frames as f64 / rate.max(1) as f64,
        integrated_lufs: None,
        loudness_range_lu: None,
        max_momentary_lufs: None,
        max_short_term_lufs: None,
        sample_peak_dbfs: None,
        true_peak_dbtp: None,
        correlation: None,
    }
}
