//! Convolution with an impulse response ([`Convolve`]): zero latency,
//! uniformly partitioned overlap-save FFT with a frequency-domain delay line.
//!
//! The IR is split at B taps. The head (taps 0..B) runs as a direct FIR, a
//! sample at a time, so the output has no latency. The rest (taps B..) is
//! cut into partitions of B taps, each transformed once (FFT size 2B). Every
//! B input frames, the last 2B inputs are transformed, pushed into the delay
//! line of spectra, multiplied with the partitions and summed, and one
//! inverse FFT gives the next B frames of the tail's output. Those frames are
//! needed exactly B frames later, which is just when the next block of input
//! is complete: the tail's own B-tap offset absorbs the block delay.
//!
//! B is about 2·√(IR length), which balances the B multiply-adds a frame of
//! the head against the ≈8·len/B flops a frame of the spectral products.
//! Work happens per frame and on a fixed grid of B frames from time zero, so
//! output does not depend on host block lengths. The IR is used as given (no
//! normalisation): `convolve` with a unit impulse is the identity.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use super::gain::Smoother;
use super::{flush, to_output, Processor};

/// Partition size bounds (frames).
const MIN_BLOCK: usize = 32;
const MAX_BLOCK: usize = 1024;
/// Ramp time of an automated `mix`.
const RAMP_SECONDS: f64 = 0.02;

/// One channel's IR, ready to use: the direct head and the tail's spectra.
struct Kernel {
    head: Vec<f64>,
    parts: Vec<Vec<Complex<f64>>>,
}

/// One channel's running state.
struct Lane {
    /// Input history for the head, each sample stored twice (see `push`).
    hist: Vec<f64>,
    hist_pos: usize,
    /// The last 2B inputs, the newest block in the second half.
    frame: Vec<f64>,
    /// Spectra of past input frames, newest at `fdl_pos`.
    fdl: Vec<Vec<Complex<f64>>>,
    fdl_pos: usize,
    /// The tail's output for the current block.
    tail_out: Vec<f64>,
}

/// FFT plans and scratch shared by every channel.
struct Fft {
    forward: Arc<dyn RealToComplex<f64>>,
    inverse: Arc<dyn ComplexToReal<f64>>,
    scratch: Vec<Complex<f64>>,
    time: Vec<f64>,
    acc: Vec<Complex<f64>>,
}

/// The convolution processor; see the module docs.
pub struct Convolve {
    /// The IR, one or two channels.
    ir: Vec<Vec<f64>>,
    mix_value: f64,
    mix: Smoother,
    rate: f64,
    block: usize,
    kernels: Vec<Kernel>,
    lanes: Vec<Lane>,
    fft: Option<Fft>,
    /// Frames since the last block boundary.
    phase: usize,
}

impl Convolve {
    /// Convolution with `ir` (one or two channels, at the session rate) and
    /// wet fraction `mix`. An empty IR is read as a unit impulse.
    pub fn new(ir: &[Vec<f32>], mix: f64) -> Convolve {
        let mut ir: Vec<Vec<f64>> = ir.iter().take(2).map(|ch| ch.iter().map(|&x| x as f64).collect()).collect();
        let len = ir.iter().map(|ch| trimmed_len(ch)).max().unwrap_or(0);
        ir.iter_mut().for_each(|ch| ch.resize(len, 0.0));
        if len == 0 {
            ir = vec![vec![1.0]];
        }
        let len = ir[0].len();
        let block = (2.0 * (len as f64).sqrt()).round().max(1.0) as usize;
        Convolve {
            ir,
            mix_value: mix,
            mix: Smoother::new(mix),
            rate: 0.0,
            block: block.next_power_of_two().clamp(MIN_BLOCK, MAX_BLOCK),
            kernels: Vec::new(),
            lanes: Vec::new(),
            fft: None,
            phase: 0,
        }
    }

    /// The IR each output channel uses: a stereo IR maps L→L and R→R, a mono
    /// IR serves both sides, and a mono signal gets the average of a stereo IR.
    fn channel_irs(&self, channels: usize) -> Vec<Vec<f64>> {
        match (channels, self.ir.len()) {
            (1, 2) => vec![self.ir[0].iter().zip(&self.ir[1]).map(|(a, b)| (a + b) * 0.5).collect()],
            (n, 1) => vec![self.ir[0].clone(); n],
            (n, _) => self.ir.iter().take(n).cloned().collect(),
        }
    }

    fn kernel(&self, ir: &[f64], fft: &mut Fft) -> Kernel {
        let b = self.block;
        let head = ir[..ir.len().min(b)].to_vec();
        let parts = ir
            .get(b..)
            .unwrap_or(&[])
            .chunks(b)
            .map(|taps| {
                fft.time.fill(0.0);
                fft.time[..taps.len()].copy_from_slice(taps);
                let mut spectrum = fft.forward.make_output_vec();
                let _ = fft.forward.process_with_scratch(&mut fft.time, &mut spectrum, &mut fft.scratch);
                spectrum
            })
            .collect();
        Kernel { head, parts }
    }

    fn lane(&self, parts: usize, complex_len: usize) -> Lane {
        let b = self.block;
        Lane {
            hist: vec![0.0; 2 * b],
            hist_pos: 0,
            frame: vec![0.0; 2 * b],
            fdl: vec![vec![Complex::default(); complex_len]; parts],
            fdl_pos: 0,
            tail_out: vec![0.0; b],
        }
    }

    /// Block boundary: the tail's output for the next B frames, per channel.
    fn run_partitions(&mut self) {
        let Some(fft) = self.fft.as_mut() else { return };
        let b = self.block;
        let scale = 1.0 / (2 * b) as f64;
        for (lane, kernel) in self.lanes.iter_mut().zip(&self.kernels) {
            if kernel.parts.is_empty() {
                continue;
            }
            let p = kernel.parts.len();
            lane.fdl_pos = (lane.fdl_pos + 1) % p;
            fft.time.copy_from_slice(&lane.frame);
            let _ = fft.forward.process_with_scratch(&mut fft.time, &mut lane.fdl[lane.fdl_pos], &mut fft.scratch);
            fft.acc.fill(Complex::default());
            for (k, part) in kernel.parts.iter().enumerate() {
                let x = &lane.fdl[(lane.fdl_pos + p - k) % p];
                fft.acc.iter_mut().zip(x.iter().zip(part)).for_each(|(a, (x, h))| *a += x * h);
            }
            // Imaginary parts of DC and Nyquist are zero in exact arithmetic.
            let last = fft.acc.len() - 1;
            fft.acc[0].im = 0.0;
            fft.acc[last].im = 0.0;
            let _ = fft.inverse.process_with_scratch(&mut fft.acc, &mut fft.time, &mut fft.scratch);
            lane.tail_out.iter_mut().zip(&fft.time[b..]).for_each(|(o, t)| *o = flush(t * scale));
            lane.frame.copy_within(b.., 0);
        }
    }
}

impl Lane {
    /// Stores `x` and returns the head's output: newest sample first in
    /// `hist[pos..pos + B]`, kept contiguous by writing each sample twice.
    #[inline(always)]
    fn push(&mut self, x: f64, head: &[f64], b: usize) -> f64 {
        self.hist_pos = if self.hist_pos == 0 { b - 1 } else { self.hist_pos - 1 };
        self.hist[self.hist_pos] = x;
        self.hist[self.hist_pos + b] = x;
        let window = &self.hist[self.hist_pos..self.hist_pos + head.len()];
        window.iter().zip(head).map(|(x, h)| x * h).sum()
    }
}

/// Length up to the last non-zero sample.
fn trimmed_len(ch: &[f64]) -> usize {
    ch.iter().rposition(|&x| x != 0.0).map_or(0, |i| i + 1)
}

impl Processor for Convolve {
    fn prepare(&mut self, rate: f64, channels: usize, _max_block: usize) {
        self.rate = rate;
        let b = self.block;
        let mut planner = RealFftPlanner::<f64>::new();
        let forward = planner.plan_fft_forward(2 * b);
        let inverse = planner.plan_fft_inverse(2 * b);
        let scratch_len = forward.get_scratch_len().max(inverse.get_scratch_len());
        let acc = forward.make_output_vec();
        let mut fft =
            Fft { forward, inverse, scratch: vec![Complex::default(); scratch_len], time: vec![0.0; 2 * b], acc };
        let irs = self.channel_irs(channels.max(1));
        self.kernels = irs.iter().map(|ir| self.kernel(ir, &mut fft)).collect();
        self.lanes = self.kernels.iter().map(|k| self.lane(k.parts.len(), fft.acc.len())).collect();
        self.fft = Some(fft);
        self.reset();
    }

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        let frames = audio.first().map_or(0, |ch| ch.len());
        let b = self.block;
        for i in 0..frames {
            let mix = self.mix.next();
            for ((channel, lane), kernel) in audio.iter_mut().zip(&mut self.lanes).zip(&self.kernels) {
                let x = channel[i] as f64;
                let wet = lane.push(x, &kernel.head, b) + lane.tail_out[self.phase];
                lane.frame[b + self.phase] = x;
                channel[i] = to_output(x * (1.0 - mix) + wet * mix);
            }
            self.phase += 1;
            if self.phase == b {
                self.phase = 0;
                self.run_partitions();
            }
        }
    }

    fn reset(&mut self) {
        for lane in &mut self.lanes {
            lane.hist.fill(0.0);
            lane.frame.fill(0.0);
            lane.tail_out.fill(0.0);
            lane.fdl.iter_mut().for_each(|s| s.fill(Complex::default()));
            lane.fdl_pos = 0;
        }
        self.phase = 0;
        self.mix.reset(self.mix_value);
    }

    /// The IR's length: after it, the output is exactly zero.
    fn tail(&self) -> usize {
        self.ir.first().map_or(0, Vec::len)
    }

    /// 1 `mix` (fraction); index 0 is the file.
    fn set_param(&mut self, index: usize, value: f64) {
        if index == 1 {
            self.mix.set_target(value.clamp(0.0, 1.0), Smoother::ramp_frames(RAMP_SECONDS, self.rate));
        }
    }
}

#[cfg(test)]
mod tests;
