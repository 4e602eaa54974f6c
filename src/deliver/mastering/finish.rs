//! The last processing a master gets before delivery: the normalising gain,
//! then the final (true-peak) limiter, with the limiter's lookahead latency
//! removed so the output lines up with the programme frame for frame.

use serde::Serialize;

use super::Programme;
use crate::dsp::dynamics::limiter::{Limiter, LimiterSpec};
use crate::dsp::{gain_to_db, Processor};

/// Frames per limiter call (the limiter's output does not depend on it).
const BLOCK: usize = 4096;

/// How hard the final limiter worked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Reduction {
    /// Deepest gain reduction, dB (≥ 0).
    pub max_db: f64,
    /// Mean gain reduction over the whole programme, dB (≥ 0).
    pub mean_db: f64,
    /// Share of frames the limiter turned down by more than 0.1 dB.
    pub active: f64,
}

/// `programme` × `gain_db`, through `limiter` when given.
pub fn finish(programme: &Programme, gain_db: f64, limiter: Option<&LimiterSpec>) -> (Programme, Option<Reduction>) {
    finish_with(programme, None, gain_db, limiter)
}

/// `programme` through `before` (at its own level), × `gain_db`, through
/// `after`. The reduction is that of both limiters together.
pub fn finish_with(
    programme: &Programme,
    before: Option<&LimiterSpec>,
    gain_db: f64,
    after: Option<&LimiterSpec>,
) -> (Programme, Option<Reduction>) {
    let channels = programme.channels.len();
    let mut finisher = Finisher::new(programme.rate, channels, before, gain_db, after);
    let mut out = vec![Vec::with_capacity(programme.frames()); channels];
    let mut start = 0;
    while start < programme.frames() {
        let end = (start + BLOCK).min(programme.frames());
        let chunk: Vec<&[f32]> = programme.channels.iter().map(|c| &c[start..end]).collect();
        finisher.push(&chunk, &mut out);
        start = end;
    }
    let reduction = finisher.finish(&mut out);
    (Programme { rate: programme.rate, channels: out }, reduction)
}

/// [`finish_with`] as a stream: chunks of the programme in, the same number
/// of finished frames out (the limiters' lookahead is taken out again, so
/// output frame `n` is input frame `n`), in step with any chunking.
pub struct Finisher {
    before: Option<Aligned>,
    gain: f64,
    /// Whether the gain is applied at all (a limiter alone leaves 0 dB out).
    scale: bool,
    after: Option<Aligned>,
    reduction: Option<ReductionMeter>,
    between: Vec<Vec<f32>>,
}

impl Finisher {
    pub fn new(
        rate: u32,
        channels: usize,
        before: Option<&LimiterSpec>,
        gain_db: f64,
        after: Option<&LimiterSpec>,
    ) -> Finisher {
        let limited = before.is_some() || after.is_some();
        let (gain, scale) = (crate::dsp::db_to_gain(gain_db), !limited || gain_db != 0.0);
        Finisher {
            before: before.map(|s| Aligned::new(s, rate, channels, None)),
            gain,
            scale,
            // The gain is applied as the second limiter takes its input in.
            after: after.map(|s| Aligned::new(s, rate, channels, scale.then_some(gain))),
            reduction: limited.then(|| ReductionMeter::new(channels, crate::dsp::db_to_gain(gain_db))),
            between: vec![Vec::new(); channels],
        }
    }

    /// Finishes `chunk`, appending what is ready to `out` (one `Vec` a channel).
    pub fn push(&mut self, chunk: &[&[f32]], out: &mut [Vec<f32>]) {
        let first = out.first().map_or(0, |c| c.len());
        if let Some(r) = &mut self.reduction {
            r.input(chunk);
        }
        match &mut self.before {
            Some(before) => {
                self.between.iter_mut().for_each(Vec::clear);
                before.push(chunk, &mut self.between);
                let view: Vec<&[f32]> = self.between.iter().map(|c| c.as_slice()).collect();
                Self::rest(self.scale, self.gain, &mut self.after, &view, out);
            }
            None => Self::rest(self.scale, self.gain, &mut self.after, chunk, out),
        }
        if let Some(r) = &mut self.reduction {
            r.output(out, first);
        }
    }

    /// The gain and the second limiter, from the first limiter's output.
    fn rest(scale: bool, gain: f64, after: &mut Option<Aligned>, chunk: &[&[f32]], out: &mut [Vec<f32>]) {
        let scaled = |x: &f32| (*x as f64 * gain) as f32;
        match after {
            None => {
                for (o, c) in out.iter_mut().zip(chunk) {
                    if scale {
                        o.extend(c.iter().map(scaled));
                    } else {
                        o.extend_from_slice(c);
                    }
                }
            }
            Some(after) => after.push(chunk, out),
        }
    }

    /// Flushes the limiters' lookahead into `out`; the reduction of the whole stream.
    pub fn finish(mut self, out: &mut [Vec<f32>]) -> Option<Reduction> {
        let first = out.first().map_or(0, |c| c.len());
        if let Some(before) = &mut self.before {
            self.between.iter_mut().for_each(Vec::clear);
            before.flush(&mut self.between);
            let view: Vec<&[f32]> = self.between.iter().map(|c| c.as_slice()).collect();
            Self::rest(self.scale, self.gain, &mut self.after, &view, out);
        }
        if let Some(after) = &mut self.after {
            after.flush(out);
        }
        let mut meter = self.reduction?;
        meter.output(out, first);
        Some(meter.finish())
    }
}

/// A limiter with its lookahead taken out: the first `latency` frames it
/// gives are dropped, and `latency` frames of silence flush its end.
struct Aligned {
    limiter: Limiter,
    latency: usize,
    to_drop: usize,
    gain: Option<f64>,
    block: Vec<Vec<f32>>,
}

impl Aligned {
    /// `gain`, when given, scales the input as it is taken in.
    fn new(spec: &LimiterSpec, rate: u32, channels: usize, gain: Option<f64>) -> Aligned {
        let mut limiter = Limiter::new(*spec);
        limiter.prepare(rate as f64, channels, BLOCK);
        let latency = limiter.latency();
        Aligned { limiter, latency, to_drop: latency, gain, block: vec![vec![0.0; BLOCK]; channels] }
    }

    fn push(&mut self, chunk: &[&[f32]], out: &mut [Vec<f32>]) {
        let frames = chunk.first().map_or(0, |c| c.len());
        let mut start = 0;
        while start < frames {
            let n = (frames - start).min(BLOCK);
            for (b, c) in self.block.iter_mut().zip(chunk) {
                match self.gain {
                    Some(g) => {
                        b[..n].iter_mut().zip(&c[start..start + n]).for_each(|(b, x)| *b = (*x as f64 * g) as f32)
                    }
                    None => b[..n].copy_from_slice(&c[start..start + n]),
                }
            }
            self.run(n, out);
            start += n;
        }
    }

    fn flush(&mut self, out: &mut [Vec<f32>]) {
        let mut left = self.latency;
        while left > 0 {
            let n = left.min(BLOCK);
            self.block.iter_mut().for_each(|b| b[..n].fill(0.0));
            self.run(n, out);
            left -= n;
        }
    }

    /// Limits the first `n` frames of `block`, appending what is past the lookahead.
    fn run(&mut self, n: usize, out: &mut [Vec<f32>]) {
        let mut view: Vec<&mut [f32]> = self.block.iter_mut().map(|b| &mut b[..n]).collect();
        self.limiter.process(&mut view, None);
        let skip = self.to_drop.min(n);
        self.to_drop -= skip;
        for (o, b) in out.iter_mut().zip(&self.block) {
            o.extend_from_slice(&b[skip..n]);
        }
    }
}

/// The limiters' gain per frame, read back from their input and output:
/// the limiter is stereo-linked, so the louder channel of a frame gives the
/// ratio. Frames too quiet to tell (below −80 dBFS in) are skipped. The
/// input waits here until its finished frames come out.
struct ReductionMeter {
    gain: f64,
    waiting: Vec<std::collections::VecDeque<f32>>,
    reduction: Reduction,
    sum: f64,
    counted: u64,
    active: u64,
}

impl ReductionMeter {
    fn new(channels: usize, gain: f64) -> ReductionMeter {
        ReductionMeter {
            gain,
            waiting: vec![std::collections::VecDeque::new(); channels],
            reduction: Reduction::default(),
            sum: 0.0,
            counted: 0,
            active: 0,
        }
    }

    fn input(&mut self, chunk: &[&[f32]]) {
        for (w, c) in self.waiting.iter_mut().zip(chunk) {
            w.extend(c.iter().copied());
        }
    }

    /// Compares the frames of `out` from `first` on with the input they came from.
    fn output(&mut self, out: &[Vec<f32>], first: usize) {
        let frames = out.first().map_or(0, |c| c.len()).saturating_sub(first);
        for i in 0..frames {
            let (mut x, mut y) = (0.0f64, 0.0f64);
            for (w, o) in self.waiting.iter_mut().zip(out) {
                let a = (w.pop_front().unwrap_or(0.0) as f64 * self.gain).abs();
                if a > x {
                    x = a;
                    y = (o[first + i] as f64).abs();
                }
            }
            if x < 1e-4 {
                continue;
            }
            // f32 rounding of the output reads as a few 1e-7 dB: not reduction.
            let db = (-gain_to_db(y / x)).max(0.0);
            let db = if db < 1e-5 { 0.0 } else { db };
            self.reduction.max_db = self.reduction.max_db.max(db);
            self.sum += db;
            self.counted += 1;
            if db > 0.1 {
                self.active += 1;
            }
        }
    }

    fn finish(mut self) -> Reduction {
        if self.counted > 0 {
            self.reduction.mean_db = self.sum / self.counted as f64;
            self.reduction.active = self.active as f64 / self.counted as f64;
        }
        self.reduction
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 48_000;

    fn spec(ceiling: f64, true_peak: bool) -> LimiterSpec {
        LimiterSpec { ceiling, lookahead: 0.005, release: 0.05, true_peak }
    }

    /// The lookahead is taken out again: an impulse under the ceiling comes out
    /// where it went in, at its level.
    #[test]
    fn the_limiter_latency_is_removed() {
        let mut x = vec![0.0f32; RATE as usize];
        x[5_000] = 0.25;
        let programme = Programme { rate: RATE, channels: vec![x.clone(), x] };
        let (out, r) = finish(&programme, 0.0, Some(&spec(-1.0, true)));
        assert_eq!(out.frames(), RATE as usize);
        let (at, peak) =
            out.channels[0]
                .iter()
                .enumerate()
                .fold((0, 0f32), |m, (i, &s)| if s.abs() > m.1 { (i, s.abs()) } else { m });
        assert_eq!((at, peak), (5_000, 0.25));
        assert_eq!(r.map(|r| r.max_db), Some(0.0));
    }

    /// A full-scale sine into a −6 dB sample-peak ceiling is held 6.02 dB down.
    #[test]
    fn the_reduction_is_the_limiters_depth() {
        let x: Vec<f32> =
            (0..RATE).map(|n| (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / RATE as f64).sin() as f32).collect();
        let programme = Programme { rate: RATE, channels: vec![x.clone(), x] };
        let (out, r) = finish(&programme, 0.0, Some(&spec(-6.0, false)));
        let r = r.expect("a limiter ran");
        let depth = -20.0 * 0.5f64.log10();
        assert!((r.max_db - depth).abs() < 0.05, "{r:?}");
        assert!(r.mean_db > depth - 0.3 && r.mean_db <= r.max_db, "{r:?}");
        assert!(r.active > 0.95, "{r:?}");
        let peak = out.channels[0].iter().fold(0f32, |m, s| m.max(s.abs()));
        assert!(peak as f64 <= 0.5012, "{peak}");
    }

    /// Without a limiter, finishing is the gain, exactly.
    #[test]
    fn without_a_limiter_only_the_gain_applies() {
        let programme = Programme { rate: RATE, channels: vec![vec![0.5, -0.25], vec![0.125, 0.0]] };
        let (out, r) = finish(&programme, -6.020599913279624, None);
        assert!(r.is_none());
        assert_eq!(out.channels, vec![vec![0.25, -0.125], vec![0.0625, 0.0]]);
    }
}
