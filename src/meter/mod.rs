//! Loudness and peak metering: ITU-R BS.1770-5 / EBU R 128 (Tech 3341, 3342).
//!
//! [`Meter`] is a streaming meter over planar f32. K-weighting comes from the
//! `ebur128` crate; momentary and short-term windows, gating and loudness
//! range are computed here from 10 ms sub-blocks (see [`window`] and
//! [`histogram`] for why), and true peak with the crate's interpolator in a
//! faster loop ([`true_peak`]). [`measure_file`] meters a whole file.
//!
//! Channel weights follow the channel count: 1 = mono, one channel with weight
//! 1.0 (a 0 dBFS sine reads −3.01 LUFS; not libebur128's "dual mono" +3 dB);
//! 2 = L R; 4 = L R Ls Rs; 5 = L R C Ls Rs; 6 = L R C LFE Ls Rs (LFE excluded);
//! surrounds weigh 1.41. Extra channels beyond six are not counted.

mod histogram;
mod measurement;
mod true_peak;
mod window;

pub use measurement::{measure_file, Measurement};

use ebur128::{EbuR128, Mode};
use histogram::Histogram;
use true_peak::TruePeak;
use window::{Windows, STEPS_M, STEPS_S};

/// The most channels a [`Meter`] takes (7.1.4 and more fit).
pub const MAX_CHANNELS: usize = 16;

/// Sub-blocks per gating-block hop and per LRA short-term value (100 ms).
const HOP: u64 = 10;

/// A meter that cannot be built for this stream.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MeterError {
    #[error("cannot meter {0} channels (1 to {MAX_CHANNELS})")]
    Channels(usize),
    #[error("cannot meter a sample rate of {0} Hz (1000 Hz to 768 kHz)")]
    Rate(u32),
}

/// A streaming BS.1770 loudness and peak meter.
///
/// Construction allocates everything; [`Meter::add`] never allocates, so the
/// renderer can meter inside its block loop. Readings do not depend on how
/// the stream is split into blocks.
pub struct Meter {
    ebu: EbuR128,
    peaks: TruePeak,
    channels: usize,
    rate: u32,
    /// Frames per sub-block: 10 ms (`rate / 100`, rounded down).
    step: usize,
    /// Frames of the current sub-block already fed.
    into_step: usize,
    frames: u64,
    windows: Windows,
    /// 400 ms gating blocks every 100 ms.
    blocks: Histogram,
    /// Short-term values every 100 ms (Tech 3342 asks for at least 10 Hz).
    short_terms: Histogram,
    max_momentary: f64,
    max_short_term: f64,
    /// Σ L·R, Σ L², Σ R² of the first two channels.
    products: [f64; 3],
}

impl Meter {
    /// A meter for `channels` planar channels at `rate` Hz.
    pub fn new(channels: usize, rate: u32) -> Result<Meter, MeterError> {
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(MeterError::Channels(channels));
        }
        if !(1000..=768_000).contains(&rate) {
            return Err(MeterError::Rate(rate));
        }
        // Mode M keeps the K-weighted audio that `loudness_window` reads.
        let ebu = EbuR128::new(channels as u32, rate, Mode::M).map_err(|_| MeterError::Rate(rate))?;
        Ok(Meter {
            ebu,
            peaks: TruePeak::new(channels, rate),
            channels,
            rate,
            step: rate as usize / 100,
            into_step: 0,
            frames: 0,
            windows: Windows::new(),
            blocks: Histogram::new(),
            short_terms: Histogram::new(),
            max_momentary: f64::NEG_INFINITY,
            max_short_term: f64::NEG_INFINITY,
            products: [0.0; 3],
        })
    }

    /// Back to time zero, as if newly built.
    pub fn reset(&mut self) {
        self.ebu.reset();
        self.peaks.reset();
        self.into_step = 0;
        self.frames = 0;
        self.windows.reset();
        self.blocks.reset();
        self.short_terms.reset();
        self.max_momentary = f64::NEG_INFINITY;
        self.max_short_term = f64::NEG_INFINITY;
        self.products = [0.0; 3];
    }

    /// Meters one block: one slice per channel, all the same length.
    ///
    /// # Panics
    /// If the number of slices is not the meter's channel count or their
    /// lengths differ — both are programming errors, not bad input.
    pub fn add(&mut self, block: &[&[f32]]) {
        assert_eq!(block.len(), self.channels, "one slice per metered channel");
        let frames = block[0].len();
        assert!(block.iter().all(|c| c.len() == frames), "channel slices of different lengths");
        self.correlate(block);
        self.peaks.add(block);
        let mut start = 0;
        while start < frames {
            let n = (self.step - self.into_step).min(frames - start);
            let mut parts: [&[f32]; MAX_CHANNELS] = [&[]; MAX_CHANNELS];
            for (part, channel) in parts.iter_mut().zip(block) {
                *part = &channel[start..start + n];
            }
            // Cannot fail: the channel count was checked above and in `new`.
            let _ = self.ebu.add_frames_planar_f32(&parts[..self.channels]);
            start += n;
            self.into_step += n;
            if self.into_step == self.step {
                self.into_step = 0;
                self.end_step();
            }
        }
        self.frames += frames as u64;
    }

    /// Accumulates the products behind the phase correlation of channels 0 and 1.
    ///
    /// Straight into the totals, sample by sample: per-block partial sums would
    /// make the last digits depend on how the stream was split.
    fn correlate(&mut self, block: &[&[f32]]) {
        if let [l, r, ..] = block {
            let [mut lr, mut ll, mut rr] = self.products;
            for (&a, &b) in l.iter().zip(r.iter()) {
                let (a, b) = (a as f64, b as f64);
                lr += a * b;
                ll += a * a;
                rr += b * b;
            }
            self.products = [lr, ll, rr];
        }
    }

    /// A 10 ms sub-block is complete: update M, S, the maxima and the histograms.
    fn end_step(&mut self) {
        // The crate sums its stored K-weighted audio over the last 10 ms.
        let energy = match self.ebu.loudness_window(10) {
            Ok(l) if l.is_finite() => 10f64.powf((l + 0.691) / 10.0),
            _ => 0.0,
        };
        self.windows.push(energy);
        let steps = self.windows.steps();
        if self.windows.full(STEPS_M) {
            let m = self.windows.mean_last(STEPS_M);
            self.max_momentary = self.max_momentary.max(histogram::loudness(m));
            if steps % HOP == 0 {
                self.blocks.add(m);
            }
        }
        if self.windows.full(STEPS_S) {
            let s = self.windows.mean_last(STEPS_S);
            self.max_short_term = self.max_short_term.max(histogram::loudness(s));
            if steps % HOP == 0 {
                self.short_terms.add(s);
            }
        }
    }

    /// Momentary loudness (LUFS) at the last 10 ms step; the time before the
    /// first sample counts as silence, so the first 400 ms read low.
    pub fn momentary(&self) -> f64 {
        histogram::loudness(self.windows.mean_last(STEPS_M))
    }

    /// Short-term loudness (LUFS) at the last 10 ms step, as [`Meter::momentary`].
    pub fn short_term(&self) -> f64 {
        histogram::loudness(self.windows.mean_last(STEPS_S))
    }

    /// Time (s) of the last 10 ms step: where `momentary` and `short_term` read.
    pub fn step_time(&self) -> f64 {
        self.windows.steps() as f64 * self.step as f64 / self.rate as f64
    }

    /// The readings so far. The meter keeps running: call again after more `add`s.
    pub fn finish(&self) -> Measurement {
        let [lr, ll, rr] = self.products;
        Measurement {
            channels: self.channels,
            rate: self.rate,
            frames: self.frames,
            duration_s: self.frames as f64 / self.rate as f64,
            integrated_lufs: self.blocks.integrated(),
            loudness_range_lu: self.short_terms.range(),
            max_momentary_lufs: finite(self.max_momentary),
            max_short_term_lufs: finite(self.max_short_term),
            sample_peak_dbfs: finite(20.0 * self.peaks.sample_peak().log10()),
            true_peak_dbtp: finite(20.0 * self.peaks.true_peak().log10()),
            correlation: (ll > 0.0 && rr > 0.0).then(|| lr / (ll * rr).sqrt()),
        }
    }
}

/// `None` for −∞ (silence, or a file shorter than the window).
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

#[cfg(test)]
mod tests;
