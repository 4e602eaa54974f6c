//! Loudness normalisation that is measured on the delivered file.
//!
//! One pass: programme × gain → final limiter → rate conversion → the exact
//! quantised samples → BS.1770 meter. Without a limiter the loudness moves
//! dB for dB with the gain and one pass lands. With one, loudness bends under
//! the limiter's grip (each dB of gain adds less than a dB of loudness), so
//! the gain is found by a safeguarded secant search on the measured
//! loudness, a monotone function of the gain: secant steps kept inside the
//! bracket of gains known to be too quiet and too loud, bisection when a
//! step would leave it. If the delivered true peak is over the ceiling
//! (rate conversion and dither can move inter-sample peaks a little), the
//! limiter's ceiling is lowered by the excess and the search goes on.

use serde::Serialize;

use super::delivered::Measurer;
use super::finish::{Finisher, Reduction};
use super::held::{ChunkSink, Held};
use super::Programme;
use crate::dsp::dynamics::limiter::LimiterSpec;
use crate::io::resample::StreamResampler;
use crate::io::AudioError;
use crate::ir::{Export, Target};
use crate::meter::Measurement;

/// How close to the loudness target a pass must land to stop, LU.
pub const AIM_LU: f64 = 0.02;
/// Passes before giving up.
pub const MAX_PASSES: usize = 16;
/// The most gain normalisation applies, dB.
const MAX_GAIN_DB: f64 = 60.0;
/// Lookahead and release of the limiter mixc adds when a ceiling is asked
/// for and the master chain does not end in a limiter of its own.
const DEFAULT_LOOKAHEAD: f64 = 0.005;
const DEFAULT_RELEASE: f64 = 0.1;

/// One deliverable to master.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub export: &'a Export,
    /// Loudness and ceiling for this file (export overrides already applied).
    pub target: Target,
    /// The limiter that ended the master chain, if any. When the gain turns
    /// the master down it runs before the gain, as written; when it turns the
    /// master up it runs after it, with the ceiling lowered to the target's.
    pub limiter: Option<LimiterSpec>,
    /// The encoder's dither seed for this file.
    pub seed: u64,
    /// A fixed gain instead of a loudness search (album normalisation: one
    /// gain for the whole record, computed elsewhere).
    pub fixed_gain_db: Option<f64>,
}

/// A deliverable, mastered and measured, ready to write.
#[derive(Debug, Clone)]
pub struct Mastered {
    /// At the export's rate, before quantisation (the encoder quantises with
    /// `seed`), when the programme is held in memory; otherwise [`deliver`]
    /// streams it again from disk with the same gain and limiter.
    pub delivered: Option<Programme>,
    pub gain_db: f64,
    /// The final limiter as the search left it (its ceiling perhaps lowered).
    pub limiter: Option<LimiterSpec>,
    /// The delivered file's measurement (of its quantised samples).
    pub measured: Measurement,
    pub report: MasterReport,
}

/// What mastering did to one deliverable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MasterReport {
    /// Gain applied ahead of the final limiter, dB.
    pub gain_db: f64,
    /// The final limiter's work, when there is one.
    pub limiter: Option<Reduction>,
    /// The ceiling the limiter was finally set to (dBTP or dBFS), when there is one.
    pub limiter_ceiling: Option<f64>,
    /// Render-measure passes it took.
    pub passes: usize,
}

/// Why a target cannot be met.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NormaliseError {
    #[error("the mix is silent (or shorter than 400 ms), so it has no loudness to normalise")]
    Silent,
    #[error(
        "cannot reach {target:.1} LUFS under the {ceiling:.1} dBTP ceiling: with {gain:+.1} dB into the limiter \
         the file measures {reached:.2} LUFS"
    )]
    Unreachable { target: f64, ceiling: f64, gain: f64, reached: f64 },
    #[error(
        "normalising to {target:.1} LUFS needs {gain:+.1} dB, which drives peaks to {peak:+.1} dBFS: the file would clip"
    )]
    Clips { target: f64, gain: f64, peak: f64 },
    #[error(
        "cannot hold the {ceiling:.1} dBTP ceiling after decoding: with the limiter {lowered:.2} dB lower the \
         decoded file still peaks at {decoded:.2} dBTP after {passes} encodes; raise the bitrate or lower the ceiling"
    )]
    DecodedOver { ceiling: f64, decoded: f64, lowered: f64, passes: usize },
    #[error("cannot convert to {rate} Hz: {reason}")]
    Convert { rate: u32, reason: String },
    #[error("{0}")]
    Held(String),
}

impl NormaliseError {
    fn from_audio(e: AudioError, rate: u32) -> NormaliseError {
        match e {
            AudioError::Resample { reason, .. } => NormaliseError::Convert { rate, reason },
            other => NormaliseError::Held(other.to_string()),
        }
    }
}

/// Masters `programme` (the master output before any final limiter) for one deliverable.
pub fn normalise(programme: &Held, request: &Request) -> Result<Mastered, NormaliseError> {
    let limiter = final_limiter(request);
    let rate = request.export.rate;
    let keep = programme.in_memory().is_some();
    let pass = |gain_db: f64,
                limiter: Option<&LimiterSpec>|
     -> Result<(Option<Programme>, Measurement, Option<Reduction>), NormaliseError> {
        let channels = programme.channels();
        let mut measurer = Measurer::new(request.export, rate, channels, request.seed);
        let mut delivered = keep.then(|| Programme::new(rate, channels));
        let reduction = stream(programme, request, gain_db, limiter, &mut |chunk| {
            measurer.add(chunk);
            if let Some(d) = &mut delivered {
                d.push(chunk);
            }
            Ok(())
        })
        .map_err(|e| NormaliseError::from_audio(e, rate))?;
        Ok((delivered, measurer.finish(), reduction))
    };
    let mut limiter = limiter;
    let ceiling = request.target.true_peak;
    let mut search = match (request.fixed_gain_db, request.target.loudness) {
        (Some(g), _) => Search::fixed(g),
        (None, Some(target)) => {
            let measured =
                programme.loudness().map_err(|e| NormaliseError::from_audio(e, rate))?.ok_or(NormaliseError::Silent)?;
            Search::new(target, target - measured)
        }
        (None, None) => Search::fixed(0.0),
    };
    let mut passes = 0;
    loop {
        passes += 1;
        let gain_db = search.gain();
        let (delivered, measured, reduction) = pass(gain_db, limiter.as_ref())?;
        let over = match (ceiling, measured.true_peak_dbtp) {
            (Some(c), Some(tp)) if tp > c => Some(tp - c),
            _ => None,
        };
        if limiter.is_none() {
            check_clipping(request, &measured, gain_db)?;
        }
        let loudness = measured.integrated_lufs;
        let landed = search.landed(loudness);
        if over.is_none() && landed {
            let report =
                MasterReport { gain_db, limiter: reduction, limiter_ceiling: limiter.map(|l| l.ceiling), passes };
            return Ok(Mastered { delivered, gain_db, limiter, measured, report });
        }
        if passes >= MAX_PASSES || search.exhausted() {
            let target = search.target.unwrap_or(f64::NAN);
            return Err(NormaliseError::Unreachable {
                target,
                ceiling: ceiling.unwrap_or(0.0),
                gain: gain_db,
                reached: loudness.unwrap_or(f64::NEG_INFINITY),
            });
        }
        match (over, limiter.as_mut()) {
            (Some(excess), Some(l)) => {
                l.ceiling -= excess + 0.02;
                search.forget();
            }
            _ => search.update(gain_db, loudness.ok_or(NormaliseError::Silent)?),
        }
    }
}

/// Writes a mastered deliverable into `sink`: from memory when the search
/// kept it, else by streaming `programme` once more with the gain and
/// limiter the search found (the same samples it measured).
pub fn deliver(
    programme: &Held,
    request: &Request,
    mastered: &Mastered,
    sink: &mut ChunkSink,
) -> Result<(), AudioError> {
    if let Some(d) = &mastered.delivered {
        return super::held::replay(d, sink);
    }
    stream(programme, request, mastered.gain_db, mastered.limiter.as_ref(), sink).map(|_| ())
}

/// One pass: `programme` × `gain_db` through the limiters, converted to the
/// export's rate, handed chunk by chunk to `sink`.
///
/// Turned down, the master keeps its own limiter where it was written (its
/// sound is part of the mix), and the ceiling is only guarded after the
/// gain. Turned up, the gain drives the limiter.
fn stream(
    programme: &Held,
    request: &Request,
    gain_db: f64,
    limiter: Option<&LimiterSpec>,
    sink: &mut ChunkSink,
) -> Result<Option<Reduction>, AudioError> {
    let before = request.limiter.as_ref().filter(|_| gain_db <= 0.0);
    let (channels, from, to) = (programme.channels(), programme.rate(), request.export.rate);
    let path = &request.export.path;
    let mut finisher = Finisher::new(from, channels, before, gain_db, limiter);
    let mut resampler = match from == to {
        true => None,
        false => Some(
            StreamResampler::new(channels, from, to)
                .map_err(|reason| AudioError::Resample { path: path.clone(), reason })?,
        ),
    };
    let mut finished = vec![Vec::new(); channels];
    let mut converted = vec![Vec::new(); channels];
    let mut forward = |finished: &[Vec<f32>], resampler: &mut Option<StreamResampler>, last: bool| {
        let view: Vec<&[f32]> = finished.iter().map(|c| c.as_slice()).collect();
        let Some(r) = resampler else { return sink(&view) };
        converted.iter_mut().for_each(Vec::clear);
        let converting = r.process(&view, &mut converted);
        let converting = converting.and_then(|()| if last { r.finish(&mut converted) } else { Ok(()) });
        converting.map_err(|reason| AudioError::Resample { path: path.clone(), reason })?;
        let view: Vec<&[f32]> = converted.iter().map(|c| c.as_slice()).collect();
        sink(&view)
    };
    programme.replay(&mut |chunk| {
        finished.iter_mut().for_each(Vec::clear);
        finisher.push(chunk, &mut finished);
        forward(&finished, &mut resampler, false)
    })?;
    finished.iter_mut().for_each(Vec::clear);
    let reduction = finisher.finish(&mut finished);
    forward(&finished, &mut resampler, true)?;
    Ok(reduction)
}

/// The limiter that holds the ceiling: the master chain's own, with its
/// ceiling lowered to the target's and switched to true-peak detection; or,
/// when the chain has none, one with mixc's defaults.
pub fn final_limiter(request: &Request) -> Option<LimiterSpec> {
    match (request.limiter, request.target.true_peak) {
        (Some(l), Some(tp)) => Some(LimiterSpec { ceiling: l.ceiling.min(tp), true_peak: true, ..l }),
        (None, Some(tp)) => {
            Some(LimiterSpec { ceiling: tp, lookahead: DEFAULT_LOOKAHEAD, release: DEFAULT_RELEASE, true_peak: true })
        }
        (l, None) => l,
    }
}

/// Without a ceiling, gain alone must not push an integer file into clipping.
fn check_clipping(request: &Request, measured: &Measurement, gain_db: f64) -> Result<(), NormaliseError> {
    let integer = request.export.clips_at_full_scale();
    let peak = measured.sample_peak_dbfs.unwrap_or(f64::NEG_INFINITY);
    // The quantiser clips at full scale: a reading at (or a hair under) 0 dBFS is a clipped file.
    if integer && request.target.loudness.is_some() && gain_db > 0.0 && peak > -0.001 {
        let target = request.target.loudness.unwrap_or(f64::NAN);
        return Err(NormaliseError::Clips { target, gain: gain_db, peak });
    }
    Ok(())
}

/// The gain search: a bracket of gains known to land too quiet (`lo`) and too
/// loud (`hi`), and the last point for a secant step.
pub struct Search {
    target: Option<f64>,
    gain: f64,
    lo: Option<(f64, f64)>,
    hi: Option<(f64, f64)>,
    last: Option<(f64, f64)>,
}

impl Search {
    pub fn new(target: f64, gain: f64) -> Search {
        Search { target: Some(target), gain: gain.min(MAX_GAIN_DB), lo: None, hi: None, last: None }
    }

    pub fn fixed(gain: f64) -> Search {
        Search { target: None, gain, lo: None, hi: None, last: None }
    }

    pub fn gain(&self) -> f64 {
        self.gain
    }

    pub fn landed(&self, loudness: Option<f64>) -> bool {
        match (self.target, loudness) {
            (None, _) => true,
            (Some(t), Some(l)) => (l - t).abs() <= AIM_LU,
            (Some(_), None) => false,
        }
    }

    /// True when the next step could not improve: the gain is at its cap and still too quiet.
    pub fn exhausted(&self) -> bool {
        self.target.is_none() || (self.gain >= MAX_GAIN_DB && self.hi.is_none() && self.lo.is_some())
    }

    /// Drops what earlier passes taught: the limiter changed under them.
    pub fn forget(&mut self) {
        (self.lo, self.hi, self.last) = (None, None, None);
    }

    /// Records that `gain` measured `loudness`, and picks the next gain.
    pub fn update(&mut self, gain: f64, loudness: f64) {
        let Some(target) = self.target else { return };
        let err = target - loudness;
        if err > 0.0 {
            self.lo = Some((gain, loudness));
        } else {
            self.hi = Some((gain, loudness));
        }
        // Secant slope from the last point; a limiter makes it < 1, never > 1
        // by much (loudness cannot grow faster than the gain).
        let slope = match self.last {
            Some((g0, l0)) if (gain - g0).abs() > 1e-9 => ((loudness - l0) / (gain - g0)).clamp(0.05, 1.5),
            _ => 1.0,
        };
        self.last = Some((gain, loudness));
        let mut next = gain + err / slope;
        match (self.lo, self.hi) {
            (Some((lo, _)), Some((hi, _))) if next <= lo || next >= hi => next = 0.5 * (lo + hi),
            (Some((lo, _)), None) if next <= lo => next = lo + err.max(0.1),
            _ => {}
        }
        self.gain = next.min(MAX_GAIN_DB);
    }
}
