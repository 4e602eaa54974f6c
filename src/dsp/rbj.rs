//! RBJ Audio EQ Cookbook filter design: kinds, shapes and normalised biquad coefficients.
//!
//! Formulas follow the cookbook (W3C note 2021 = musicdsp 2005 text, see
//! `conformance/STANDARDS.md` §3): A = 10^(dB/40), w0 = 2π·f0/Fs,
//! α = sin w0/(2Q), or for shelves given a slope S,
//! α = sin w0/2·√((A + 1/A)(1/S − 1) + 2). Everything is computed in f64.

use std::f64::consts::PI;

/// Default `q` of the pass-type filters: LANGUAGE.md's "0.7071", read as the
/// exact Butterworth value 1/√2 it abbreviates (maximally flat; also SoX's
/// default √0.5 and the Q that shelf slope S = 1 corresponds to).
pub const DEFAULT_PASS_Q: f64 = std::f64::consts::FRAC_1_SQRT_2;
/// Default `q` of `peak`.
pub const DEFAULT_PEAK_Q: f64 = 1.0;
/// Default shelf slope S (S = 1 is the steepest slope without overshoot, Q = 1/√2).
pub const DEFAULT_SLOPE: f64 = 1.0;

/// Highest centre/corner frequency as a fraction of the sample rate. At Nyquist
/// sin w0 = 0 makes α = 0 and puts the poles on the unit circle, so
/// frequencies at or above it are clamped to just below (23.95 kHz at 48 kHz).
pub const MAX_FREQ_RATIO: f64 = 0.499;
/// Lowest frequency as a fraction of the sample rate (0.48 Hz at 48 kHz); 0 Hz
/// would put the poles on the unit circle at z = 1.
pub const MIN_FREQ_RATIO: f64 = 1e-5;
/// Range the effective Q is clamped to, whichever shape gave it: keeps α > 0
/// (stable poles) and finite for a zero, negative or huge `q` or `slope`.
pub const Q_RANGE: (f64, f64) = (0.01, 1000.0);
/// Gains beyond ±120 dB are clamped: nothing musical lies past them, and it
/// keeps A and the shelf coefficients far from overflow.
pub const MAX_GAIN_DB: f64 = 120.0;

/// The eight cookbook filter types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FilterKind {
    /// 2-pole high-pass (HPF).
    Highpass,
    /// 2-pole low-pass (LPF).
    Lowpass,
    /// Peaking EQ; uses the gain.
    Peak,
    /// Low shelf; uses the gain.
    LowShelf,
    /// High shelf; uses the gain.
    HighShelf,
    /// Band-reject.
    Notch,
    /// Band-pass with a constant 0 dB peak gain.
    Bandpass,
    /// All-pass (phase only).
    Allpass,
}

impl FilterKind {
    /// Every kind, in the order LANGUAGE.md lists them.
    pub const ALL: [FilterKind; 8] = [
        FilterKind::Highpass,
        FilterKind::Lowpass,
        FilterKind::Peak,
        FilterKind::LowShelf,
        FilterKind::HighShelf,
        FilterKind::Notch,
        FilterKind::Bandpass,
        FilterKind::Allpass,
    ];

    /// The processor name used in `.mix` files.
    pub fn name(self) -> &'static str {
        match self {
            FilterKind::Highpass => "highpass",
            FilterKind::Lowpass => "lowpass",
            FilterKind::Peak => "peak",
            FilterKind::LowShelf => "low_shelf",
            FilterKind::HighShelf => "high_shelf",
            FilterKind::Notch => "notch",
            FilterKind::Bandpass => "bandpass",
            FilterKind::Allpass => "allpass",
        }
    }

    /// The kind with the given `.mix` name, if any.
    pub fn from_name(name: &str) -> Option<FilterKind> {
        FilterKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether `gain_db` affects this kind (peak and shelves); others ignore it.
    pub fn uses_gain(self) -> bool {
        matches!(self, FilterKind::Peak | FilterKind::LowShelf | FilterKind::HighShelf)
    }

    /// Whether this kind accepts a shelf `slope`.
    pub fn is_shelf(self) -> bool {
        matches!(self, FilterKind::LowShelf | FilterKind::HighShelf)
    }

    /// The shape used when neither `q` nor `slope` is given.
    pub fn default_shape(self) -> Shape {
        match self {
            FilterKind::Peak => Shape::Q(DEFAULT_PEAK_Q),
            FilterKind::LowShelf | FilterKind::HighShelf => Shape::Slope(DEFAULT_SLOPE),
            _ => Shape::Q(DEFAULT_PASS_Q),
        }
    }
}

/// How the bandwidth is given: a quality factor, or a shelf slope S.
///
/// A `Slope` on a non-shelf kind is read through the same formula with its own
/// A (A = 1 when the kind has no gain, i.e. Q = √(S/2)); the checker should
/// reject it before it gets here.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    /// Quality factor Q.
    Q(f64),
    /// Shelf slope S (1.0 = steepest without overshoot).
    Slope(f64),
}

/// Everything that defines one cookbook filter except the sample rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BiquadSpec {
    /// Filter type.
    pub kind: FilterKind,
    /// Centre or corner frequency in Hz.
    pub freq: f64,
    /// Gain in dB (peak and shelves only).
    pub gain_db: f64,
    /// Q or slope.
    pub shape: Shape,
}

impl BiquadSpec {
    /// A filter of `kind` at `freq` Hz with 0 dB gain and the default shape.
    pub fn new(kind: FilterKind, freq: f64) -> BiquadSpec {
        BiquadSpec { kind, freq, gain_db: 0.0, shape: kind.default_shape() }
    }

    /// The same filter with `gain_db` dB of gain.
    pub fn with_gain_db(self, gain_db: f64) -> BiquadSpec {
        BiquadSpec { gain_db, ..self }
    }

    /// The same filter with quality factor `q`.
    pub fn with_q(self, q: f64) -> BiquadSpec {
        BiquadSpec { shape: Shape::Q(q), ..self }
    }

    /// The same filter with shelf slope `s`.
    pub fn with_slope(self, s: f64) -> BiquadSpec {
        BiquadSpec { shape: Shape::Slope(s), ..self }
    }
}

/// Biquad coefficients normalised by a0:
/// H(z) = (b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coeffs {
    pub b0: f64,
    pub b1: f64,
    pub b2: f64,
    pub a1: f64,
    pub a2: f64,
}

impl Coeffs {
    /// The filter that passes its input unchanged.
    pub const IDENTITY: Coeffs = Coeffs { b0: 1.0, b1: 0.0, b2: 0.0, a1: 0.0, a2: 0.0 };

    /// Radius of the larger pole, |p| of z² + a1·z + a2 = 0. Below 1 for every
    /// filter [`coefficients`] designs.
    pub fn pole_radius(&self) -> f64 {
        let disc = self.a1 * self.a1 - 4.0 * self.a2;
        if disc < 0.0 {
            self.a2.sqrt()
        } else {
            (self.a1.abs() + disc.sqrt()) / 2.0
        }
    }

    /// Frames after the input stops until the output stays below −90 dBFS,
    /// for any input that stayed within ±1 (full scale).
    ///
    /// Once the input is silent the output is `y[n] = Σ h[n + j]·x[−j]` over
    /// past inputs, so `|y[n]| ≤ Σ_{j≥n} |h[j]|`: the tail sum of the impulse
    /// response, which this bounds from the pole radius r. For j ≥ 1, h is a
    /// free (input-less) solution of the recursion,
    /// `h[j] = h[2]·u[j−1] − a2·h[1]·u[j−2]` with u the fundamental solution
    /// (`u[0] = 0`, `u[1] = 1`), and `|u[m]| ≤ min(m, 1/|sin θ|)·r^(m−1)` (θ the
    /// pole angle; no cap for real poles). No division by the pole distance
    /// appears, so double and near-double poles (Q ≈ 0.5) are bounded too.
    ///
    /// In a [`BiquadCascade`](super::biquad::BiquadCascade) the stages' tails
    /// are summed: a good estimate, not a strict bound, when a boosting stage
    /// pushes the signal between stages above full scale.
    pub fn tail_frames(&self) -> usize {
        const THRESHOLD: f64 = 3.162_277_660_168_379_5e-5; // −90 dB
        let h0 = self.b0;
        let h1 = self.b1 - self.a1 * h0;
        let h2 = self.b2 - self.a1 * h1 - self.a2 * h0;
        let r = self.pole_radius();
        if !(r > 0.0 && r < 1.0) {
            // No poles: an FIR of three taps. Poles on or outside the unit
            // circle are never designed here; report "forever" rather than lie.
            return if r == 0.0 { 3 } else { usize::MAX };
        }
        let k = h2.abs() + self.a2.abs() * h1.abs() / r;
        let disc = self.a1 * self.a1 - 4.0 * self.a2;
        // 1/|sin θ| = r/|Im p| with Im p = √(−disc)/2.
        let cap = if disc < 0.0 { 2.0 * r / (-disc).sqrt() } else { f64::INFINITY };
        let d = 1.0 - r;
        // Σ_{j≥n} min(j−1, cap)·r^(j−2) ≤ r^(n−2)·growth(n).
        let growth = |n: f64| ((n - 1.0) / d + r / (d * d)).min(cap / d);
        // Smallest n with k·r^(n−2)·growth(n) ≤ THRESHOLD, by fixed-point
        // iteration (growth enters only through a logarithm, so it converges fast).
        let mut n = 2.0_f64;
        for _ in 0..32 {
            n = 2.0 + ((k * growth(n)).ln() - THRESHOLD.ln()).max(0.0) / -r.ln();
        }
        (n.ceil() as usize).max(3)
    }

    /// Normalises raw cookbook coefficients `[b0, b1, b2]`, `[a0, a1, a2]` by a0.
    fn normalised(b: [f64; 3], a: [f64; 3]) -> Coeffs {
        let inv = 1.0 / a[0];
        Coeffs { b0: b[0] * inv, b1: b[1] * inv, b2: b[2] * inv, a1: a[1] * inv, a2: a[2] * inv }
    }
}

/// Designs the cookbook filter `spec` at `rate` Hz.
///
/// Out-of-range values never give NaN or an unstable filter: the frequency is
/// clamped to [`MIN_FREQ_RATIO`]·rate ..= [`MAX_FREQ_RATIO`]·rate, the gain to
/// ±[`MAX_GAIN_DB`], the effective Q to [`Q_RANGE`]. A NaN parameter or a rate
/// that is not a positive finite number gives [`Coeffs::IDENTITY`].
pub fn coefficients(spec: &BiquadSpec, rate: f64) -> Coeffs {
    let shape_value = match spec.shape {
        Shape::Q(v) | Shape::Slope(v) => v,
    };
    let any_nan = spec.freq.is_nan() || spec.gain_db.is_nan() || shape_value.is_nan();
    if any_nan || !rate.is_finite() || rate <= 0.0 {
        return Coeffs::IDENTITY;
    }
    let freq = spec.freq.clamp(MIN_FREQ_RATIO * rate, MAX_FREQ_RATIO * rate);
    let w0 = 2.0 * PI * freq / rate;
    let (sin_w0, cos_w0) = w0.sin_cos();
    let a = if spec.kind.uses_gain() { 10f64.powf(spec.gain_db.clamp(-MAX_GAIN_DB, MAX_GAIN_DB) / 40.0) } else { 1.0 };
    let alpha = alpha(spec.shape, sin_w0, a);
    design(spec.kind, a, cos_w0, alpha)
}

/// The cookbook's α for a shape, clamped so the effective Q stays in [`Q_RANGE`].
fn alpha(shape: Shape, sin_w0: f64, a: f64) -> f64 {
    let raw = match shape {
        Shape::Q(q) => sin_w0 / (2.0 * q),
        // A negative radicand (slope too steep for this gain) would be NaN; the
        // clamp below turns the resulting 0 into the highest allowed Q.
        Shape::Slope(s) => sin_w0 / 2.0 * ((a + 1.0 / a) * (1.0 / s - 1.0) + 2.0).max(0.0).sqrt(),
    };
    let (q_min, q_max) = Q_RANGE;
    let lo = sin_w0 / (2.0 * q_max);
    let hi = sin_w0 / (2.0 * q_min);
    // A negative q or slope is read as its magnitude rather than giving
    // poles outside the unit circle.
    raw.abs().clamp(lo, hi)
}

/// The cookbook table (STANDARDS.md §3), normalised by a0.
fn design(kind: FilterKind, a: f64, c: f64, alpha: f64) -> Coeffs {
    let den = [1.0 + alpha, -2.0 * c, 1.0 - alpha];
    match kind {
        FilterKind::Lowpass => Coeffs::normalised([(1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0], den),
        FilterKind::Highpass => Coeffs::normalised([(1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0], den),
        FilterKind::Bandpass => Coeffs::normalised([alpha, 0.0, -alpha], den),
        FilterKind::Notch => Coeffs::normalised([1.0, -2.0 * c, 1.0], den),
        FilterKind::Allpass => Coeffs::normalised([1.0 - alpha, -2.0 * c, 1.0 + alpha], den),
        FilterKind::Peak => Coeffs::normalised(
            [1.0 + alpha * a, -2.0 * c, 1.0 - alpha * a],
            [1.0 + alpha / a, -2.0 * c, 1.0 - alpha / a],
        ),
        FilterKind::LowShelf => low_shelf(a, c, alpha),
        FilterKind::HighShelf => high_shelf(a, c, alpha),
    }
}

fn low_shelf(a: f64, c: f64, alpha: f64) -> Coeffs {
    let beta = 2.0 * a.sqrt() * alpha;
    let (ap, am) = (a + 1.0, a - 1.0);
    Coeffs::normalised(
        [a * (ap - am * c + beta), 2.0 * a * (am - ap * c), a * (ap - am * c - beta)],
        [ap + am * c + beta, -2.0 * (am + ap * c), ap + am * c - beta],
    )
}

fn high_shelf(a: f64, c: f64, alpha: f64) -> Coeffs {
    let beta = 2.0 * a.sqrt() * alpha;
    let (ap, am) = (a + 1.0, a - 1.0);
    Coeffs::normalised(
        [a * (ap + am * c + beta), -2.0 * a * (am + ap * c), a * (ap + am * c - beta)],
        [ap - am * c + beta, 2.0 * (am - ap * c), ap - am * c - beta],
    )
}
