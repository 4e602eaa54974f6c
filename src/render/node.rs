//! One node at render time: its source, its chain, its buffers.

use crate::dsp::Processor;
use crate::io::resample::SourceStream;
use crate::io::AudioError;
use crate::ir::{Source, Tap};
use crate::plan::envelope::Envelope;
use crate::plan::{NodePlan, PlanInput};

use super::buffer::{mix_into, Planar};
use super::delay::DelayLine;
use super::history::{History, Outputs};
use super::CONTROL_INTERVAL;
use crate::cache::{CachedOutput, Mode};

/// A node's state for the whole render. Buffers are allocated once, here.
pub struct NodeRun {
    source: Option<(Source, SourceStream)>,
    chain: Vec<Box<dyn Processor>>,
    /// Sidechain key node of each processor (plan index into `upstream`).
    keys: Vec<Option<usize>>,
    inputs: Vec<(PlanInput, Option<DelayLine>)>,
    /// The chain's working buffer (the node's own channel count).
    work: Planar,
    /// After pan, before the fader (stereo); only when a send taps it.
    pre: Option<Planar>,
    /// After the fader (stereo): what `out` and post-fader sends carry.
    pub out: Planar,
    scratch: Planar,
    pan: [f32; 2],
    post: [f32; 2],
    silent: bool,
    block: usize,
    /// Fader and pan automation, when the node has any.
    moving: Option<Moving>,
    /// Automated processor parameters: (chain index, parameter index, lane).
    param_envs: Vec<(usize, usize, Envelope)>,
    /// Replaying a cached output instead of computing, or idle.
    mode: Mode,
    /// The output being kept for the cache, when capturing.
    pub captured: Option<CachedOutput>,
    /// The node's level in the plan (see [`History`]).
    pub level: usize,
}

/// Fader and pan that change over time, evaluated per sample.
struct Moving {
    fader: f64,
    pan: f64,
    gain_env: Option<Envelope>,
    pan_env: Option<Envelope>,
    /// Per-sample left/right gains without and with the fader.
    pan_gains: [Vec<f32>; 2],
    post_gains: [Vec<f32>; 2],
}

impl NodeRun {
    /// What its source concealed (`on_error = conceal`), when it reads one.
    pub fn concealed(&self) -> Option<crate::io::conceal::ConcealedIn> {
        self.source.as_ref().map(|(_, stream)| stream.concealed())
    }

    /// Opens the node's source and allocates its buffers.
    pub fn new(plan: NodePlan, mode: Mode, rate: u32, capacity: usize, block: usize) -> Result<Self, AudioError> {
        let computing = matches!(mode, Mode::Compute { .. });
        let captured = match mode {
            Mode::Compute { capture: true } => {
                Some(CachedOutput { out: Default::default(), pre: plan.feeds_pre.then(Default::default) })
            }
            _ => None,
        };
        let source = match plan.source {
            Some(src) if computing => {
                let stream = SourceStream::open_with(&src.path, rate, src.conceal)?;
                Some((src, stream))
            }
            _ => None,
        };
        let needs_scratch = plan.inputs.iter().any(|i| i.delay > 0);
        let inputs = plan.inputs.into_iter().map(|i| {
            let line = (i.delay > 0).then(|| DelayLine::new(i.delay));
            (i, line)
        });
        Ok(NodeRun {
            source,
            chain: plan.chain,
            keys: plan.keys,
            inputs: inputs.collect(),
            work: Planar::new(plan.channels, capacity),
            pre: plan.feeds_pre.then(|| Planar::new(2, capacity)),
            out: Planar::new(2, capacity),
            scratch: Planar::new(2, if needs_scratch { capacity } else { 0 }),
            pan: [plan.pan[0] as f32, plan.pan[1] as f32],
            post: [(plan.pan[0] * plan.fader) as f32, (plan.pan[1] * plan.fader) as f32],
            silent: plan.silent,
            block,
            moving: (plan.gain_env.is_some() || plan.pan_env.is_some()).then(|| Moving {
                fader: plan.fader,
                pan: plan.pan_position,
                gain_env: plan.gain_env,
                pan_env: plan.pan_env,
                pan_gains: [vec![0.0; capacity], vec![0.0; capacity]],
                post_gains: [vec![0.0; capacity], vec![0.0; capacity]],
            }),
            param_envs: plan.param_envs,
            mode,
            captured,
            level: 0,
        })
    }

    /// Zeroed buffers shaped like this node's outputs (for [`History`]).
    pub fn blank_outputs(&self) -> Outputs {
        let capacity = self.out.chans[0].len();
        Outputs { out: Planar::new(2, capacity), pre: self.pre.as_ref().map(|_| Planar::new(2, capacity)) }
    }

    /// The buffers this step writes: after the fader, and before it.
    pub fn buffers_mut(&mut self) -> (&mut Planar, Option<&mut Planar>) {
        (&mut self.out, self.pre.as_mut())
    }

    /// The plan indices this node reads: inputs and sidechain keys.
    pub fn reads(&self) -> Vec<usize> {
        self.inputs.iter().map(|(i, _)| i.from).chain(self.keys.iter().flatten().copied()).collect()
    }

    /// Renders frames `pos..pos + frames` of the timeline. `upstream` holds
    /// the outputs of earlier levels for the same frames.
    pub fn process(&mut self, pos: u64, frames: usize, upstream: &History) -> Result<(), AudioError> {
        match &self.mode {
            Mode::Idle => return Ok(()),
            Mode::Replay(cached) => {
                replay(cached, pos as usize, frames, &mut self.out, self.pre.as_mut());
                return Ok(());
            }
            Mode::Compute { .. } => {}
        }
        self.compute(pos, frames, upstream)?;
        if let Some(c) = &mut self.captured {
            for ch in 0..2 {
                c.out[ch].extend_from_slice(&self.out.chans[ch][..frames]);
                if let (Some(cp), Some(p)) = (&mut c.pre, &self.pre) {
                    cp[ch].extend_from_slice(&p.chans[ch][..frames]);
                }
            }
        }
        Ok(())
    }

    fn compute(&mut self, pos: u64, frames: usize, upstream: &History) -> Result<(), AudioError> {
        if self.silent {
            self.out.clear(frames);
            if let Some(pre) = &mut self.pre {
                pre.clear(frames);
            }
            return Ok(());
        }
        self.read_source(pos, frames)?;
        self.sum_inputs(frames, upstream);
        self.run_chain(pos, frames, upstream);
        match &mut self.moving {
            Some(m) => {
                m.fill(pos, frames, self.work.channels() == 1);
                self.apply_moving_pan(frames);
            }
            None => self.apply_pan(frames),
        }
        Ok(())
    }

    /// Fills the work buffer with the source's frames for this chunk and
    /// zeroes whatever the source does not cover (all of it for buses).
    fn read_source(&mut self, pos: u64, frames: usize) -> Result<(), AudioError> {
        let Some((src, stream)) = &mut self.source else {
            self.work.clear(frames);
            return Ok(());
        };
        let end = pos + frames as u64;
        if end <= src.start || pos >= src.start + src.frames {
            self.work.clear(frames);
            return Ok(());
        }
        let offset = src.start.saturating_sub(pos) as usize;
        let want = ((src.start + src.frames).min(end) - pos.max(src.start)) as usize;
        let got = self.work.with_range(offset, offset + want, |chans| stream.read(chans))?;
        for c in &mut self.work.chans {
            c[..offset].fill(0.0);
            c[offset + got..frames].fill(0.0);
        }
        Ok(())
    }

    fn sum_inputs(&mut self, frames: usize, upstream: &History) {
        let channels = self.work.channels();
        for (input, line) in &mut self.inputs {
            let signal = match input.tap {
                Tap::PostFader => upstream.out(input.from, self.level),
                Tap::PreFader => upstream.pre(input.from, self.level),
                Tap::Key => continue,
            };
            for ch in 0..channels {
                let src = &signal.chans[ch.min(1)][..frames];
                let dst = &mut self.work.chans[ch][..frames];
                match line {
                    Some(line) => {
                        let tmp = &mut self.scratch.chans[ch.min(1)][..frames];
                        line.process(ch.min(1), src, tmp, ch + 1 == channels);
                        mix_into(dst, tmp, input.gain);
                    }
                    None => mix_into(dst, src, input.gain),
                }
            }
        }
    }

    fn run_chain(&mut self, pos: u64, frames: usize, upstream: &History) {
        for (index, (p, key)) in self.chain.iter_mut().zip(&self.keys).enumerate() {
            let key = key.map(|k| upstream.out(k, self.level));
            // No allocation in the render loop: the lanes are filtered in place.
            let lanes = || self.param_envs.iter().filter(move |(i, _, _)| *i == index);
            let automated = lanes().next().is_some();
            let mut start = 0;
            while start < frames {
                let mut end = (start + self.block).min(frames);
                if automated {
                    // Update on the control grid of the timeline, never across it,
                    // so the result does not depend on the block length.
                    let t = pos + start as u64;
                    if t % CONTROL_INTERVAL == 0 {
                        for (_, param, env) in lanes() {
                            p.set_param(*param, env.value_at(t));
                        }
                    }
                    let next_grid = (t / CONTROL_INTERVAL + 1) * CONTROL_INTERVAL;
                    end = end.min((next_grid - pos) as usize);
                }
                let key_view: Option<[&[f32]; 2]> = key.map(|k| [&k.chans[0][start..end], &k.chans[1][start..end]]);
                self.work.with_range(start, end, |chans| p.process(chans, key_view.as_ref().map(|k| &k[..])));
                start = end;
            }
        }
    }

    fn apply_pan(&mut self, frames: usize) {
        let mono = self.work.channels() == 1;
        if !mono && self.pre.is_none() && self.post == [1.0; 2] {
            // Unity: the work buffer becomes the output (the next chunk
            // rewrites all of it), rather than being copied.
            std::mem::swap(&mut self.work, &mut self.out);
            return;
        }
        for ch in 0..2 {
            let src = &self.work.chans[if mono { 0 } else { ch }][..frames];
            if let Some(pre) = &mut self.pre {
                scale(&mut pre.chans[ch][..frames], src, self.pan[ch]);
            }
            scale(&mut self.out.chans[ch][..frames], src, self.post[ch]);
        }
    }
}

impl NodeRun {
    /// Pan and fader from per-sample gains (automation).
    fn apply_moving_pan(&mut self, frames: usize) {
        let Some(m) = &self.moving else { return };
        let mono = self.work.channels() == 1;
        for ch in 0..2 {
            let src = &self.work.chans[if mono { 0 } else { ch }][..frames];
            if let Some(pre) = &mut self.pre {
                for ((d, s), g) in pre.chans[ch][..frames].iter_mut().zip(src).zip(&m.pan_gains[ch]) {
                    *d = *s * *g;
                }
            }
            for ((d, s), g) in self.out.chans[ch][..frames].iter_mut().zip(src).zip(&m.post_gains[ch]) {
                *d = *s * *g;
            }
        }
    }
}

impl Moving {
    /// Per-sample gains for frames `pos..pos + frames`.
    fn fill(&mut self, pos: u64, frames: usize, mono: bool) {
        for i in 0..frames {
            let t = pos + i as u64;
            let p = self.pan_env.as_ref().map_or(self.pan, |e| e.value_at(t)).clamp(-1.0, 1.0);
            let (l, r) = if mono { crate::dsp::pan::mono_pan_gains(p) } else { crate::dsp::pan::balance_gains(p) };
            let g = self.fader * self.gain_env.as_ref().map_or(1.0, |e| crate::dsp::db_to_gain(e.value_at(t)));
            self.pan_gains[0][i] = l as f32;
            self.pan_gains[1][i] = r as f32;
            self.post_gains[0][i] = (l * g) as f32;
            self.post_gains[1][i] = (r * g) as f32;
        }
    }
}

/// Copies frames `pos..pos + frames` of a cached output into the node's buffers.
fn replay(cached: &CachedOutput, pos: usize, frames: usize, out: &mut Planar, pre: Option<&mut Planar>) {
    for ch in 0..2 {
        out.chans[ch][..frames].copy_from_slice(&cached.out[ch][pos..pos + frames]);
    }
    if let (Some(pre), Some(cp)) = (pre, &cached.pre) {
        for (dst, src) in pre.chans.iter_mut().zip(cp) {
            dst[..frames].copy_from_slice(&src[pos..pos + frames]);
        }
    }
}

/// `dst = gain · src`; exact copy at unity so the identity rule holds.
fn scale(dst: &mut [f32], src: &[f32], gain: f32) {
    if gain == 1.0 {
        dst.copy_from_slice(src);
    } else {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = *s * gain;
        }
    }
}
