//! The biquad inner loop: Direct Form I on two f64 lanes, over f32 channels or an f64 scratch buffer.
//!
//! Why DF-I: its loop-carried chain per sample is one multiply and one
//! subtract (y[n] = ff − a1·y[n−1], where ff gathers the terms known a sample
//! early); TDF-II needs an extra add. In a cascade, stage k of frame n does not
//! wait for stage k+1 of frame n−1, so the CPU overlaps the stages' chains.
//!
//! Why [`Frames`]: reading and writing the f32 channels inside the loop (not
//! in separate copy passes) hides the conversions in the idle slots of a
//! latency-bound loop; a copy pass cost as much as the filter itself.

use super::lanes::F64x2;
use super::rbj::Coeffs;

/// Most stages kept in registers at once; more would spill on x86-64's 16
/// vector registers (each stage holds two history pairs).
pub(crate) const GROUP: usize = 4;

/// Per-stage state: `[z⁻¹, z⁻²]` of a signal, both lanes.
pub(crate) type History = [F64x2; 2];

/// In-place access to one channel pair as f64 lanes.
pub(crate) trait Frames {
    fn len(&self) -> usize;
    fn get(&self, i: usize) -> F64x2;
    /// Stores a result; f32 targets round it with [`F64x2::to_output`].
    fn set(&mut self, i: usize, v: F64x2);
}

/// Two f32 channels of the same length.
pub(crate) struct Stereo<'a> {
    pub l: &'a mut [f32],
    pub r: &'a mut [f32],
}

impl Frames for Stereo<'_> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.l.len().min(self.r.len())
    }
    #[inline(always)]
    fn get(&self, i: usize) -> F64x2 {
        F64x2::new(self.l[i] as f64, self.r[i] as f64)
    }
    #[inline(always)]
    fn set(&mut self, i: usize, v: F64x2) {
        let [a, b] = v.to_output();
        self.l[i] = a;
        self.r[i] = b;
    }
}

/// A lone f32 channel in lane 0; lane 1 runs on silence.
pub(crate) struct Mono<'a>(pub &'a mut [f32]);

impl Frames for Mono<'_> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.0.len()
    }
    #[inline(always)]
    fn get(&self, i: usize) -> F64x2 {
        F64x2::new(self.0[i] as f64, 0.0)
    }
    #[inline(always)]
    fn set(&mut self, i: usize, v: F64x2) {
        self.0[i] = v.to_output()[0];
    }
}

/// f64 scratch: the signal between stage groups of a long cascade.
impl Frames for [F64x2] {
    #[inline(always)]
    fn len(&self) -> usize {
        <[F64x2]>::len(self)
    }
    #[inline(always)]
    fn get(&self, i: usize) -> F64x2 {
        self[i]
    }
    #[inline(always)]
    fn set(&mut self, i: usize, v: F64x2) {
        self[i] = v;
    }
}

/// Runs up to [`GROUP`] stages over `frames[start..end]` in place.
/// `hist[0]` is the group's input history, `hist[k + 1]` stage k's output history.
pub(crate) fn run_group<F: Frames + ?Sized>(
    coeffs: &[Coeffs],
    hist: &mut [History],
    frames: &mut F,
    start: usize,
    end: usize,
) {
    match coeffs.len() {
        1 => run_stages::<1, F>(coeffs, hist, frames, start, end),
        2 => run_stages::<2, F>(coeffs, hist, frames, start, end),
        3 => run_stages::<3, F>(coeffs, hist, frames, start, end),
        _ => run_stages::<GROUP, F>(coeffs, hist, frames, start, end),
    }
}

/// Coefficients broadcast to both lanes.
#[derive(Clone, Copy)]
struct Splat {
    b0: F64x2,
    b1: F64x2,
    b2: F64x2,
    a1: F64x2,
    a2: F64x2,
}

impl Splat {
    #[inline(always)]
    fn new(c: &Coeffs) -> Splat {
        Splat {
            b0: F64x2::splat(c.b0),
            b1: F64x2::splat(c.b1),
            b2: F64x2::splat(c.b2),
            a1: F64x2::splat(c.a1),
            a2: F64x2::splat(c.a2),
        }
    }
}

/// The kernel for `N` stages, with their state held in locals (registers).
/// Stage k's output history doubles as stage k+1's input history.
#[inline(always)]
fn run_stages<const N: usize, F: Frames + ?Sized>(
    coeffs: &[Coeffs],
    hist: &mut [History],
    frames: &mut F,
    start: usize,
    end: usize,
) {
    let c: [Splat; N] = std::array::from_fn(|k| Splat::new(&coeffs[k]));
    let mut xin = hist[0];
    let mut ys: [History; N] = std::array::from_fn(|k| hist[k + 1]);
    for i in start..end {
        let mut x = frames.get(i);
        let mut xh = xin;
        xin = [x, xin[0]];
        for k in 0..N {
            let yh = ys[k];
            let y = stage(&c[k], x, xh, yh);
            ys[k] = [y, yh[0]];
            xh = yh;
            x = y;
        }
        frames.set(i, x);
    }
    hist[0] = xin;
    hist[1..=N].copy_from_slice(&ys);
}

/// One DF-I step on both lanes. The terms not involving y[n−1] are summed
/// first so the loop-carried chain is a single multiply and subtract.
#[inline(always)]
fn stage(c: &Splat, x: F64x2, xh: History, yh: History) -> F64x2 {
    let ff = c.b0 * x + c.b1 * xh[0] + (c.b2 * xh[1] - c.a2 * yh[1]);
    ff - c.a1 * yh[0]
}
