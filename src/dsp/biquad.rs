//! Biquad processors: one RBJ cookbook filter ([`Biquad`]) or several in series ([`BiquadCascade`]).
//!
//! The design maths lives in [`super::rbj`] and is re-exported here. The kernel
//! is Direct Form I with state and arithmetic in f64: a 20 Hz high-pass at
//! 48 kHz has poles within 3e-3 of z = 1, where f32 state would add noise and
//! move the corner. Samples stay f32 at the edges.
//!
//! Speed: two channels share one pass, as the two lanes of a `[f64; 2]` that
//! the compiler maps onto one SSE2 register. DF-I keeps the per-sample
//! dependency chain to one multiply and one subtract (TDF-II needs an extra
//! add), and in a cascade the stages of one sample are independent of the
//! next sample's earlier stages, so the CPU overlaps their chains. Stages run
//! in groups of up to [`GROUP`] with state in registers; between groups the
//! signal stays f64 in a scratch buffer allocated by `prepare`.

pub use super::rbj::{coefficients, BiquadSpec, Coeffs, FilterKind, Shape};
use super::{flush, to_output, Processor};

/// Two lanes: the two channels of a pair, processed in step.
type Lanes = [f64; 2];

/// Most stages kept in registers at once; more would spill on x86-64's 16
/// vector registers (each stage holds two history pairs plus coefficients).
const GROUP: usize = 4;

/// Filter state is flushed of near-denormal values every this many frames,
/// counted from time zero, so the result does not depend on block lengths.
/// Between flushes a value at the floor cannot decay into the denormal range.
const FLUSH_PERIOD: u64 = 64;

/// One stage: its design (a spec needs the rate, raw coefficients do not).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Design {
    Spec(BiquadSpec),
    Raw(Coeffs),
}

impl Design {
    fn coeffs(&self, rate: f64) -> Coeffs {
        match self {
            Design::Spec(spec) => coefficients(spec, rate),
            Design::Raw(c) => *c,
        }
    }
}

/// Several biquads in series, each channel pair processed in one pass.
///
/// Output equals running the stages one after another, except that the signal
/// stays f64 between stages (only the final output is rounded to f32).
#[derive(Clone, Debug)]
pub struct BiquadCascade {
    designs: Vec<Design>,
    coeffs: Vec<Coeffs>,
    /// Per channel pair, per group of [`GROUP`] stages: the group's input
    /// history, then each stage's output history, each `[z⁻¹, z⁻²]`. A group
    /// keeps its own copy of its input history because the previous group has
    /// already run to the end of the segment when this one starts.
    history: Vec<Vec<[Lanes; 2]>>,
    scratch: Vec<Lanes>,
    rate: f64,
    frame: u64,
}

impl BiquadCascade {
    /// A cascade of cookbook filters, first to last.
    pub fn new(specs: &[BiquadSpec]) -> BiquadCascade {
        Self::from_designs(specs.iter().copied().map(Design::Spec).collect())
    }

    /// A cascade of fixed, rate-independent coefficients (e.g. the BS.1770
    /// K-weighting table at 48 kHz).
    pub fn from_coeffs(coeffs: &[Coeffs]) -> BiquadCascade {
        Self::from_designs(coeffs.iter().copied().map(Design::Raw).collect())
    }

    fn from_designs(designs: Vec<Design>) -> BiquadCascade {
        let coeffs = vec![Coeffs::IDENTITY; designs.len()];
        BiquadCascade {
            designs,
            coeffs,
            history: Vec::new(),
            scratch: Vec::new(),
            rate: 0.0,
            frame: 0,
        }
    }

    /// Number of stages.
    pub fn len(&self) -> usize {
        self.designs.len()
    }

    /// Whether the cascade has no stages (it then passes audio unchanged,
    /// except that denormals are flushed to zero).
    pub fn is_empty(&self) -> bool {
        self.designs.is_empty()
    }

    /// The coefficients stage `index` runs with (identity before `prepare`).
    pub fn coeffs(&self, index: usize) -> Option<Coeffs> {
        self.coeffs.get(index).copied()
    }

    /// Replaces stage `index` with `spec`, keeping the filter state so the
    /// change is click-free for small moves. Does not allocate. Returns false
    /// when there is no such stage.
    pub fn set_spec(&mut self, index: usize, spec: BiquadSpec) -> bool {
        let Some(design) = self.designs.get_mut(index) else {
            return false;
        };
        *design = Design::Spec(spec);
        self.coeffs[index] = design.coeffs(self.rate);
        true
    }

    /// Runs every stage over one channel pair's block in `scratch[..len]`.
    fn run_pair(&mut self, pair: usize, len: usize) {
        let mut start = 0;
        let mut frame = self.frame;
        while start < len {
            let to_flush = FLUSH_PERIOD - frame % FLUSH_PERIOD;
            let end = len.min(start + to_flush as usize);
            let buf = &mut self.scratch[start..end];
            let history = &mut self.history[pair];
            for (g, coeffs) in self.coeffs.chunks(GROUP).enumerate() {
                let first = g * (GROUP + 1);
                run_group(coeffs, &mut history[first..=first + coeffs.len()], buf);
            }
            frame += (end - start) as u64;
            if frame % FLUSH_PERIOD == 0 {
                flush_history(history);
            }
            start = end;
        }
    }
}

/// Dispatches to the register-resident kernel for this group's stage count.
fn run_group(coeffs: &[Coeffs], hist: &mut [[Lanes; 2]], buf: &mut [Lanes]) {
    match coeffs.len() {
        1 => run_stages::<1>(coeffs, hist, buf),
        2 => run_stages::<2>(coeffs, hist, buf),
        3 => run_stages::<3>(coeffs, hist, buf),
        _ => run_stages::<GROUP>(coeffs, hist, buf),
    }
}

/// The DF-I kernel for `N` stages. `hist[0]` is the input history, `hist[k+1]`
/// stage k's output history, which is also stage k+1's input history.
#[inline(always)]
fn run_stages<const N: usize>(coeffs: &[Coeffs], hist: &mut [[Lanes; 2]], buf: &mut [Lanes]) {
    let c: [Coeffs; N] = std::array::from_fn(|k| coeffs[k]);
    let mut xin = hist[0];
    let mut ys: [[Lanes; 2]; N] = std::array::from_fn(|k| hist[k + 1]);
    for sample in buf.iter_mut() {
        let mut x = *sample;
        let mut xh = xin;
        xin = [x, xin[0]];
        for k in 0..N {
            let yh = ys[k];
            let y = stage(&c[k], x, xh, yh);
            ys[k] = [y, yh[0]];
            xh = yh;
            x = y;
        }
        *sample = x;
    }
    hist[0] = xin;
    hist[1..=N].copy_from_slice(&ys);
}

/// One DF-I step on both lanes. The terms not involving y[n−1] are summed
/// first so the loop-carried chain is a single multiply and subtract.
#[inline(always)]
fn stage(c: &Coeffs, x: Lanes, xh: [Lanes; 2], yh: [Lanes; 2]) -> Lanes {
    std::array::from_fn(|i| {
        let ff = c.b0 * x[i] + c.b1 * xh[0][i] + (c.b2 * xh[1][i] - c.a2 * yh[1][i]);
        ff - c.a1 * yh[0][i]
    })
}

fn flush_history(history: &mut [[Lanes; 2]]) {
    for v in history.iter_mut().flatten().flatten() {
        *v = flush(*v);
    }
}

impl Processor for BiquadCascade {
    fn prepare(&mut self, rate: f64, channels: usize, max_block: usize) {
        self.rate = rate;
        self.coeffs = self.designs.iter().map(|d| d.coeffs(rate)).collect();
        let pairs = channels.div_ceil(2);
        let groups = self.designs.len().div_ceil(GROUP);
        self.history = vec![vec![[[0.0; 2]; 2]; self.designs.len() + groups]; pairs];
        self.scratch = vec![[0.0; 2]; max_block.max(1)];
        self.frame = 0;
    }

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        // An empty cascade still runs the load and store, which flush
        // denormal input like every other processor.
        if self.scratch.is_empty() {
            return;
        }
        let frames = audio.first().map_or(0, |ch| ch.len());
        // Blocks longer than `max_block` break the contract; they are cut into
        // scratch-sized pieces rather than panicking.
        let mut done = 0;
        while done < frames {
            let len = (frames - done).min(self.scratch.len());
            for (pair, chans) in audio.chunks_mut(2).enumerate().take(self.history.len()) {
                load_pair(chans, done, &mut self.scratch[..len]);
                self.run_pair(pair, len);
                store_pair(&self.scratch[..len], chans, done);
            }
            self.frame += len as u64;
            done += len;
        }
    }

    fn reset(&mut self) {
        for v in self.history.iter_mut().flatten() {
            *v = [[0.0; 2]; 2];
        }
        self.frame = 0;
    }

    fn tail(&self) -> usize {
        self.coeffs
            .iter()
            .fold(0usize, |t, c| t.saturating_add(c.tail_frames()))
    }
}

/// Interleaves one channel pair (or a lone channel, with a silent second lane)
/// into f64 lanes.
fn load_pair(chans: &[&mut [f32]], offset: usize, dst: &mut [Lanes]) {
    let len = dst.len();
    match chans {
        [l, r] => {
            let (l, r) = (&l[offset..offset + len], &r[offset..offset + len]);
            for ((d, &a), &b) in dst.iter_mut().zip(l).zip(r) {
                *d = [a as f64, b as f64];
            }
        }
        [m] => {
            for (d, &a) in dst.iter_mut().zip(&m[offset..offset + len]) {
                *d = [a as f64, 0.0];
            }
        }
        _ => {}
    }
}

/// Writes lanes back to the pair's f32 channels (see [`to_output`]).
fn store_pair(src: &[Lanes], chans: &mut [&mut [f32]], offset: usize) {
    let len = src.len();
    match chans {
        [l, r] => {
            let (l, r) = (&mut l[offset..offset + len], &mut r[offset..offset + len]);
            for ((s, a), b) in src.iter().zip(l.iter_mut()).zip(r.iter_mut()) {
                *a = to_output(s[0]);
                *b = to_output(s[1]);
            }
        }
        [m] => {
            for (s, a) in src.iter().zip(m[offset..offset + len].iter_mut()) {
                *a = to_output(s[0]);
            }
        }
        _ => {}
    }
}

/// One cookbook filter: a [`BiquadCascade`] of one stage.
#[derive(Clone, Debug)]
pub struct Biquad {
    inner: BiquadCascade,
    spec: BiquadSpec,
}

impl Biquad {
    /// The filter `spec`; coefficients are computed by `prepare`.
    pub fn new(spec: BiquadSpec) -> Biquad {
        Biquad {
            inner: BiquadCascade::new(&[spec]),
            spec,
        }
    }

    /// The current design.
    pub fn spec(&self) -> BiquadSpec {
        self.spec
    }

    /// The coefficients in use (identity before `prepare`).
    pub fn coeffs(&self) -> Coeffs {
        self.inner.coeffs(0).unwrap_or(Coeffs::IDENTITY)
    }

    /// Changes the design, keeping the state; does not allocate.
    pub fn set_spec(&mut self, spec: BiquadSpec) {
        self.spec = spec;
        self.inner.set_spec(0, spec);
    }
}

impl Processor for Biquad {
    fn prepare(&mut self, rate: f64, channels: usize, max_block: usize) {
        self.inner.prepare(rate, channels, max_block);
    }

    fn process(&mut self, audio: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
        self.inner.process(audio, key);
    }

    fn reset(&mut self) {
        self.inner.reset();
    }

    fn tail(&self) -> usize {
        self.inner.tail()
    }
}
