//! The biquad inner loop: Direct Form I on two f64 lanes, over f32 channels or an f64 scratch buffer.
//!
//! Why DF-I: its loop-carried chain per sample is one multiply and one
//! subtract (y[n] = ff − a1·y[n−1], where ff gathers the terms known a sample
//! early); TDF-II needs an extra add. In a cascade, stage k of frame n does not
//! wait for stage k+1 of frame n−1, so the CPU overlaps the stages' chains.
//!
//! Why the skewed AVX2 kernel: the SSE2 loop is bound by how many frames'
//! worth of floating-point operations the out-of-order core can hold (each
//! frame's chain through the stages is long), not by the 6-cycle recursion.
//! With AVX2, two consecutive stages share one 256-bit register,
//! `[stage k L, stage k R, stage k+1 L, stage k+1 R]`, so a pair costs the
//! operations of one stage. Stage k+1 needs stage k's output of the same
//! frame, so the upper half runs two frames (`SKEW`) behind: its input is the lower
//! half's output of two iterations ago, its z⁻² output history. A
//! third stage runs alone in an SSE2 register behind the pair, a fourth pairs
//! with it. Where a segment starts, a half that has not reached its first
//! frame keeps its state (a blend); where it ends, each stage's history is
//! copied to `hist` after its last frame, and the stage runs on (unused) so
//! the later ones get their inputs. Measured on Zen 3, cascades of 2, 3 and 4
//! stages run 19, 27 and 36 % faster.
//!
//! Why the same bits: each lane computes its stage's DF-I step with the same
//! f64 multiplies, adds and subtracts in the same order as the SSE2 kernel
//! (no FMA: `avx2` does not enable it, and Rust never contracts), on the same
//! inputs and histories; only which frame a lane works on at a given moment
//! differs. So output and `hist` are bit-identical (tested), and blocks,
//! segments, flushes and resets behave as before. Other CPUs keep SSE2.
//!
//! Why [`Frames`]: reading and writing the f32 channels inside the loop (not
//! in separate copy passes) hides the conversions in the idle slots of a
//! latency-bound loop; a copy pass cost as much as the filter itself.

use super::lanes::F64x2;
#[cfg(target_arch = "x86_64")]
use super::lanes::F64x4;
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
/// `wide` picks the skewed AVX2 kernel for groups of two or more stages; the
/// caller must have checked [`has_avx2`](super::has_avx2). Both kernels give
/// the same bits, in the output and in `hist`.
pub(crate) fn run_group<F: Frames + ?Sized>(
    wide: bool,
    coeffs: &[Coeffs],
    hist: &mut [History],
    frames: &mut F,
    start: usize,
    end: usize,
) {
    #[cfg(target_arch = "x86_64")]
    if wide && coeffs.len() >= 2 {
        // SAFETY: the caller checked that the CPU has AVX2.
        unsafe { run_group_avx2(coeffs, hist, frames, start, end) };
        return;
    }
    let _ = wide;
    run_group_sse(coeffs, hist, frames, start, end);
}

/// [`run_group`] with both channels in one SSE2 register, one stage after another.
fn run_group_sse<F: Frames + ?Sized>(
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

/// How many frames the upper half of a [`Pair`] runs behind the lower half:
/// its input is the lower half's z⁻² output. Through it each iteration's
/// vector waits on the one two earlier (a lane move and four dependent
/// operations, ≈15 cycles, so ≈7.5 a frame); a skew of 3 shortens that path
/// but was measured slower (2–5 %): each 64-frame segment then spends more
/// iterations in the edge code.
#[cfg(target_arch = "x86_64")]
const SKEW: usize = 2;

/// Two consecutive stages in one AVX register, `[stage k L, stage k R,
/// stage k+1 L, stage k+1 R]`, the upper half `SKEW` frames behind.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Pair {
    b0: F64x4,
    b1: F64x4,
    b2: F64x4,
    a1: F64x4,
    a2: F64x4,
    /// Input history `[z⁻¹, z⁻²]`: stage k's input in the lower half, stage k's
    /// output `SKEW` frames back (stage k+1's input) in the upper half.
    x0: F64x4,
    x1: F64x4,
    /// Output history `[z⁻¹, z⁻²]` of both stages.
    y0: F64x4,
    y1: F64x4,
}

#[cfg(target_arch = "x86_64")]
impl Pair {
    /// Stages `lo` then `hi`, from `x` (stage k's input history) and the
    /// stages' output histories.
    #[inline(always)]
    fn new(lo: &Coeffs, hi: &Coeffs, x: History, y_lo: History, y_hi: History) -> Pair {
        let join = |a: History, b: History, k: usize| F64x4::join(a[k], b[k]);
        Pair {
            b0: F64x4::splat2(lo.b0, hi.b0),
            b1: F64x4::splat2(lo.b1, hi.b1),
            b2: F64x4::splat2(lo.b2, hi.b2),
            a1: F64x4::splat2(lo.a1, hi.a1),
            a2: F64x4::splat2(lo.a2, hi.a2),
            x0: join(x, y_lo, 0),
            x1: join(x, y_lo, 1),
            y0: join(y_lo, y_hi, 0),
            y1: join(y_lo, y_hi, 1),
        }
    }

    /// Stage k on `x` (frame j) and stage k+1 on stage k's output of frame
    /// j − `SKEW`; returns stage k+1's output. Per lane the same operations
    /// in the same order as [`stage`].
    #[inline(always)]
    fn step(&mut self, x: F64x2) -> F64x2 {
        let x = F64x4::join(x, self.y1.lo());
        let ff = self.b0 * x + self.b1 * self.x0 + (self.b2 * self.x1 - self.a2 * self.y1);
        let y = ff - self.a1 * self.y0;
        self.x1 = self.x0;
        self.x0 = x;
        self.y1 = self.y0;
        self.y0 = y;
        y.hi()
    }

    /// [`step`](Pair::step), but the halves not set in `run` keep their state
    /// (a stage that has not reached the segment's first frame yet).
    #[inline(always)]
    fn step_held(&mut self, x: F64x2, run: F64x4) -> F64x2 {
        let old = *self;
        let out = self.step(x);
        let keep = |new: F64x4, old: F64x4| F64x4::select(run, new, old);
        self.x0 = keep(self.x0, old.x0);
        self.x1 = keep(self.x1, old.x1);
        self.y0 = keep(self.y0, old.y0);
        self.y1 = keep(self.y1, old.y1);
        out
    }

    #[inline(always)]
    fn x_lo(&self) -> History {
        [self.x0.lo(), self.x1.lo()]
    }
    #[inline(always)]
    fn y_lo(&self) -> History {
        [self.y0.lo(), self.y1.lo()]
    }
    #[inline(always)]
    fn y_hi(&self) -> History {
        [self.y0.hi(), self.y1.hi()]
    }
}

/// One stage in an SSE2 register, with its own input history.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Single {
    c: Splat,
    xh: History,
    yh: History,
}

#[cfg(target_arch = "x86_64")]
impl Single {
    #[inline(always)]
    fn step(&mut self, x: F64x2) -> F64x2 {
        let y = stage(&self.c, x, self.xh, self.yh);
        self.xh = [x, self.xh[0]];
        self.yh = [y, self.yh[0]];
        y
    }
}

/// The stages of a group of `N` = 2..=4 in skewed form: stages 0 and 1 in
/// pair `a`; stage 2 in `s` (`N` = 3, `SKEW` behind, like stage 1) or
/// stages 2 and 3 in pair `b` (`N` = 4, `SKEW` and 2·`SKEW` behind).
#[cfg(target_arch = "x86_64")]
struct Skewed<const N: usize> {
    a: Pair,
    b: Pair,
    s: Single,
}

#[cfg(target_arch = "x86_64")]
impl<const N: usize> Skewed<N> {
    /// Frames the last stage runs behind the input.
    const LAG: usize = if N == 4 { 2 * SKEW } else { SKEW };

    #[inline(always)]
    fn new(coeffs: &[Coeffs], hist: &[History]) -> Self {
        let a = Pair::new(&coeffs[0], &coeffs[1], hist[0], hist[1], hist[2]);
        // The unused one of `b` and `s` gets stage 0 as a placeholder.
        let b = if N == 4 { Pair::new(&coeffs[2], &coeffs[3], hist[2], hist[3], hist[4]) } else { a };
        let (c, xh, yh) = if N == 3 { (&coeffs[2], hist[2], hist[3]) } else { (&coeffs[0], hist[0], hist[1]) };
        Skewed { a, b, s: Single { c: Splat::new(c), xh, yh } }
    }

    /// One iteration with every stage inside the segment: input frame j,
    /// returns the output of frame j − `LAG`.
    #[inline(always)]
    fn step(&mut self, x: F64x2) -> F64x2 {
        let mid = self.a.step(x);
        match N {
            2 => mid,
            3 => self.s.step(mid),
            _ => self.b.step(mid),
        }
    }

    /// Iteration `j` of segment `start..end` near its edges. A stage that has
    /// not reached `start` holds its state; one past `end - 1` runs on (zero
    /// input, results unused) after its state went to `hist`, so the later
    /// stages still get their inputs.
    #[inline(always)]
    fn step_edge<F: Frames + ?Sized>(
        &mut self,
        j: usize,
        start: usize,
        end: usize,
        hist: &mut [History],
        frames: &mut F,
    ) {
        if j == end {
            hist[0] = self.a.x_lo();
            hist[1] = self.a.y_lo();
        }
        let x = if j < end { frames.get(j) } else { F64x2::zero() };
        let reached = |lag: usize| j >= start + lag;
        let mid = if reached(SKEW) { self.a.step(x) } else { self.a.step_held(x, F64x4::mask(true, false)) };
        let out = match N {
            2 => mid,
            3 if reached(SKEW) => self.s.step(mid),
            3 => mid,
            _ if reached(2 * SKEW) => self.b.step(mid),
            _ => self.b.step_held(mid, F64x4::mask(reached(SKEW), false)),
        };
        if j + 1 == end + SKEW {
            hist[2] = self.a.y_hi();
            if N == 3 {
                hist[3] = self.s.yh;
            } else if N == 4 {
                hist[3] = self.b.y_lo();
            }
        }
        if N == 4 && j + 1 == end + 2 * SKEW {
            hist[4] = self.b.y_hi();
        }
        if reached(Self::LAG) && j < end + Self::LAG {
            frames.set(j - Self::LAG, out);
        }
    }
}

/// [`run_group`] in AVX registers: stages paired with a skew of `SKEW`
/// frames (see the module docs).
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn run_group_avx2<F: Frames + ?Sized>(
    coeffs: &[Coeffs],
    hist: &mut [History],
    frames: &mut F,
    start: usize,
    end: usize,
) {
    match coeffs.len() {
        2 => run_skewed::<2, F>(coeffs, hist, frames, start, end),
        3 => run_skewed::<3, F>(coeffs, hist, frames, start, end),
        _ => run_skewed::<GROUP, F>(coeffs, hist, frames, start, end),
    }
}

/// Iterations `start..end + LAG`: the first and last `LAG` ones through
/// [`Skewed::step_edge`], the rest straight.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn run_skewed<const N: usize, F: Frames + ?Sized>(
    coeffs: &[Coeffs],
    hist: &mut [History],
    frames: &mut F,
    start: usize,
    end: usize,
) {
    if start >= end {
        return;
    }
    let lag = Skewed::<N>::LAG;
    let mut k = Skewed::<N>::new(coeffs, hist);
    let inner = start + lag;
    for j in start..inner {
        k.step_edge(j, start, end, hist, frames);
    }
    for j in inner..end {
        let y = k.step(frames.get(j));
        frames.set(j - lag, y);
    }
    for j in inner.max(end)..end + lag {
        k.step_edge(j, start, end, hist, frames);
    }
}
