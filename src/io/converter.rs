//! The sample-rate converter core shared by source streams and exports: a
//! rubato windowed-sinc resampler, aligned so that output sample 0 sits on input
//! sample 0 and trimmed so that n input frames give round(n · to / from).

use rubato::{Resampler, SincFixedIn, SincInterpolationType};

use super::polyphase::Polyphase;

/// Cut-off relative to the lower Nyquist.
const F_CUTOFF: f64 = 0.95;
/// Input frames per rubato call; latency does not matter offline.
const CHUNK: usize = 1024;

/// rubato's sinc tables hold `factor` sub-sample phases. Its output k lands at
/// input time k·from/to + δ with δ = from/to − 1 + 1/factor: the first output
/// is taken one step after the start, and table phase `s` sits (s + 1)/factor
/// past `sinc_len/2 − 1` (derived from rubato 0.16's `asynchro_sinc.rs` and
/// `sinc.rs`, and confirmed by fitting the phase of a resampled sine).
/// [`Polyphase`] cancels δ by shifting the table phase, which is exact when
/// `factor · from/to` is an integer, i.e. `factor` is a multiple of
/// `q = to / gcd(from, to)`.
///
/// Every output then falls exactly on a table phase, so no interpolation
/// between phases is needed: `Nearest` with `factor` a multiple of q is an
/// exact polyphase filter (160 phases for 44.1 → 48 kHz) and computes one
/// 256-tap dot product per output sample where `Cubic` computed four. For odd
/// ratios whose q would make the table huge we keep 256 phases with cubic
/// interpolation (far below −100 dB) and accept an offset under 1/512 sample.
fn oversampling(from: u32, to: u32) -> (usize, SincInterpolationType) {
    let q = (to / gcd(from, to)) as usize;
    if q <= 1024 {
        // At least 8 phases, so the alignment shift stays a small step.
        (q * 8usize.div_ceil(q), SincInterpolationType::Nearest)
    } else {
        (256, SincInterpolationType::Cubic)
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Streaming converter from `from` Hz to `to` Hz (rates differ).
pub(super) struct Converter {
    resampler: SincFixedIn<f32>,
    from: u32,
    to: u32,
    input: Vec<Vec<f32>>,
    scratch: Vec<Vec<f32>>,
    fed: u64,
    produced: u64,
}

impl Converter {
    pub(super) fn new(channels: usize, from: u32, to: u32) -> Result<Self, String> {
        if from == 0 || to == 0 || channels == 0 {
            return Err(format!("cannot convert {channels} channels from {from} Hz to {to} Hz"));
        }
        let ratio = f64::from(to) / f64::from(from);
        let (factor, interpolation) = oversampling(from, to);
        // Below 1 the cut-off follows the lower (output) Nyquist, as rubato does.
        let cutoff = F_CUTOFF * ratio.min(1.0);
        let delta = f64::from(from) / f64::from(to) - 1.0 + 1.0 / factor as f64;
        let shift = (-delta * factor as f64).round() as isize;
        let filter = Polyphase::new(factor, cutoff, shift);
        let resampler =
            SincFixedIn::new_with_interpolator(ratio, 1.0, interpolation, Box::new(filter), CHUNK, channels)
                .map_err(|e| e.to_string())?;
        let scratch = resampler.output_buffer_allocate(true);
        Ok(Converter {
            resampler,
            from,
            to,
            input: vec![Vec::with_capacity(CHUNK); channels],
            scratch,
            fed: 0,
            produced: 0,
        })
    }

    /// Output length for `n` input frames: round(n · to / from), exactly.
    pub(super) fn converted_len(n: u64, from: u32, to: u32) -> u64 {
        let (n, from, to) = (u128::from(n), u128::from(from), u128::from(to));
        ((n * to + from / 2) / from) as u64
    }

    /// Feeds `input` (one slice per channel, equal lengths) and appends what
    /// comes out to `output`.
    pub(super) fn push(&mut self, input: &[&[f32]], output: &mut [Vec<f32>]) -> Result<(), String> {
        let n = input.first().map_or(0, |c| c.len());
        let mut pos = 0;
        while pos < n {
            let take = (CHUNK - self.input[0].len()).min(n - pos);
            for (buf, src) in self.input.iter_mut().zip(input) {
                buf.extend_from_slice(&src[pos..pos + take]);
            }
            pos += take;
            self.fed += take as u64;
            if self.input[0].len() == CHUNK {
                self.run_chunk(output, u64::MAX)?;
            }
        }
        Ok(())
    }

    /// Flushes the filter tail so that the total output is round(n · to / from).
    pub(super) fn finish(&mut self, output: &mut [Vec<f32>]) -> Result<(), String> {
        let target = Self::converted_len(self.fed, self.from, self.to);
        while self.produced < target {
            for buf in &mut self.input {
                buf.resize(CHUNK, 0.0);
            }
            self.run_chunk(output, target)?;
        }
        Ok(())
    }

    /// Converts one full input chunk; appends at most `limit - produced` frames.
    fn run_chunk(&mut self, output: &mut [Vec<f32>], limit: u64) -> Result<(), String> {
        let (_, n) =
            self.resampler.process_into_buffer(&self.input, &mut self.scratch, None).map_err(|e| e.to_string())?;
        let keep = (n as u64).min(limit - self.produced) as usize;
        for (out, s) in output.iter_mut().zip(&self.scratch) {
            out.extend_from_slice(&s[..keep]);
        }
        self.produced += keep as u64;
        for buf in &mut self.input {
            buf.clear();
        }
        Ok(())
    }
}
