//! The sample-rate converter core shared by source streams and exports: a
//! rubato windowed-sinc resampler, aligned so that output sample 0 sits on input
//! sample 0 and trimmed so that n input frames give round(n · to / from).

use rubato::sinc_interpolator::SincInterpolator;
use rubato::{Resampler, SincFixedIn, SincInterpolationType, WindowFunction};

/// Filter length in taps: long enough for a steep 0.95 · Nyquist cut-off with
/// BlackmanHarris² stop-band rejection well past 100 dB.
const SINC_LEN: usize = 256;
const F_CUTOFF: f32 = 0.95;
/// Input frames per rubato call; latency does not matter offline.
const CHUNK: usize = 1024;

/// rubato's sinc tables hold `factor` sub-sample phases. Its output k lands at
/// input time k·from/to + δ with δ = from/to − 1 + 1/factor: the first output
/// is taken one step after the start, and table phase `s` sits (s + 1)/factor
/// past `sinc_len/2 − 1` (derived from rubato 0.16's `asynchro_sinc.rs` and
/// `sinc.rs`, and confirmed by fitting the phase of a resampled sine).
/// [`Aligned`] cancels δ by shifting the table phase, which is exact when
/// `factor · from/to` is an integer, i.e. `factor` is a multiple of
/// `to / gcd(from, to)`. We pick the smallest such multiple ≥ 256 (cubic
/// interpolation between 256+ phases is far below the −100 dB target); for odd
/// ratios whose multiple would be huge we use 256 and accept an offset under
/// 1/512 of a sample.
fn oversampling(from: u32, to: u32) -> usize {
    let q = (to / gcd(from, to)) as usize;
    if q <= 1024 {
        q * 256usize.div_ceil(q)
    } else {
        256
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Wraps rubato's interpolator and reads every phase `shift` table steps later.
struct Aligned {
    inner: Box<dyn SincInterpolator<f32>>,
    factor: isize,
    shift: isize,
}

impl SincInterpolator<f32> for Aligned {
    fn get_sinc_interpolated(&self, wave: &[f32], index: usize, subindex: usize) -> f32 {
        let t = index as isize * self.factor + subindex as isize + self.shift;
        let (i, s) = (t.div_euclid(self.factor), t.rem_euclid(self.factor));
        // |shift| < factor, so i moves by at most one sample; rubato leaves
        // more than that in its buffer margins.
        self.inner.get_sinc_interpolated(wave, i as usize, s as usize)
    }

    fn len(&self) -> usize {
        self.inner.len()
    }

    fn nbr_sincs(&self) -> usize {
        self.inner.nbr_sincs()
    }
}

/// The fastest interpolator this CPU supports.
fn interpolator(factor: usize, cutoff: f32) -> Box<dyn SincInterpolator<f32>> {
    let window = WindowFunction::BlackmanHarris2;
    #[cfg(target_arch = "x86_64")]
    {
        use rubato::sinc_interpolator::sinc_interpolator_avx::AvxInterpolator;
        use rubato::sinc_interpolator::sinc_interpolator_sse::SseInterpolator;
        if let Ok(i) = AvxInterpolator::<f32>::new(SINC_LEN, factor, cutoff, window) {
            return Box::new(i);
        }
        if let Ok(i) = SseInterpolator::<f32>::new(SINC_LEN, factor, cutoff, window) {
            return Box::new(i);
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        use rubato::sinc_interpolator::sinc_interpolator_neon::NeonInterpolator;
        if let Ok(i) = NeonInterpolator::<f32>::new(SINC_LEN, factor, cutoff, window) {
            return Box::new(i);
        }
    }
    Box::new(rubato::sinc_interpolator::ScalarInterpolator::<f32>::new(SINC_LEN, factor, cutoff, window))
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
        let factor = oversampling(from, to);
        // Below 1 the cut-off follows the lower (output) Nyquist, as rubato does.
        let cutoff = F_CUTOFF * (ratio.min(1.0) as f32);
        let delta = f64::from(from) / f64::from(to) - 1.0 + 1.0 / factor as f64;
        let shift = (-delta * factor as f64).round() as isize;
        let aligned = Aligned { inner: interpolator(factor, cutoff), factor: factor as isize, shift };
        let resampler = SincFixedIn::new_with_interpolator(
            ratio,
            1.0,
            SincInterpolationType::Cubic,
            Box::new(aligned),
            CHUNK,
            channels,
        )
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
