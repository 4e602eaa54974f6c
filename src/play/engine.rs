//! The audio callback's side of playback: the playhead, the transport and
//! the crossfades, run once per device buffer.
//!
//! Real-time rules, kept by construction: [`Engine::process`] never
//! allocates, locks, frees or does I/O. Commands arrive through a lock-free
//! single-producer ring ([`rtrb`]); versions are shared `Arc`s that the
//! engine never drops — a version it lets go of travels back through a second
//! ring to the control thread, which frees it there. What was played goes out
//! through a third ring for the meter; when that ring is full the meter
//! misses a little, the audio never waits.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use rtrb::{Consumer, Producer, PushError, RingBuffer};

use super::fade::Curve;
use super::version::Version;

/// What the control thread asks of the engine.
#[derive(Debug)]
pub enum Command {
    Play,
    Pause,
    /// Move the playhead to a frame (crossfaded when playing).
    Seek(u64),
    /// Loop `start..end` (frames), or stop looping.
    Loop(Option<(u64, u64)>),
    /// Play `version` at linear `gain` from the same playhead, crossfaded:
    /// a new render, an A/B switch, or a level-match change of the same version.
    Switch {
        version: Arc<Version>,
        gain: f32,
    },
}

/// What the engine publishes after every buffer (read by the status line and tests).
#[derive(Debug, Default)]
pub struct Shared {
    /// The playhead, in frames.
    pub position: AtomicU64,
    pub playing: AtomicBool,
    /// The id of the version playing (0 before the first).
    pub version: AtomicU32,
    /// The playhead where the last `Switch` started its crossfade.
    pub switched_at: AtomicU64,
    /// How many `Switch` commands have been applied.
    pub switches: AtomicU64,
    /// Playback stopped at the end of the song (no loop).
    pub ended: AtomicBool,
    /// Frames handed to the device so far.
    pub frames_out: AtomicU64,
    /// How many `Seek` commands have been applied.
    pub seeks: AtomicU64,
}

/// One signal being read: a version at a gain, from a playhead.
struct Voice {
    version: Option<Arc<Version>>,
    gain: f32,
    position: u64,
}

impl Voice {
    #[inline]
    fn sample(&self) -> (f32, f32) {
        match &self.version {
            Some(v) => {
                let (l, r) = v.frame(self.position);
                (l * self.gain, r * self.gain)
            }
            None => (0.0, 0.0),
        }
    }

    fn frames(&self) -> u64 {
        self.version.as_ref().map_or(0, |v| v.frames())
    }
}

/// Versions the retire ring had no room for, kept (not freed) until it has.
const HELD: usize = 8;

/// The callback side; built by [`channel`], moved into the device's callback.
pub struct Engine {
    commands: Consumer<Command>,
    retired: Producer<Arc<Version>>,
    played: Producer<f32>,
    shared: Arc<Shared>,
    curve: Curve,
    voice: Voice,
    /// The outgoing voice of a crossfade, and the frame of the fade it is at.
    fading: Option<(Voice, usize)>,
    playing: bool,
    /// Transport level, ramped over the fade length on pause and resume.
    level: f32,
    step: f32,
    loop_range: Option<(u64, u64)>,
    held: [Option<Arc<Version>>; HELD],
}

/// The control thread's handle on an [`Engine`].
pub struct Remote {
    commands: Producer<Command>,
    retired: Consumer<Arc<Version>>,
    played: Consumer<f32>,
    pub shared: Arc<Shared>,
    /// The device rate the engine runs at.
    pub rate: u32,
}

/// An engine for a device at `rate`, and its remote.
pub fn channel(rate: u32) -> (Engine, Remote) {
    channel_with(rate, Curve::new(rate))
}

/// As [`channel`], with a given crossfade curve (tests use short ones).
pub fn channel_with(rate: u32, curve: Curve) -> (Engine, Remote) {
    let (command_tx, command_rx) = RingBuffer::new(64);
    let (retired_tx, retired_rx) = RingBuffer::new(64);
    // One second of stereo for the meter: the control thread reads it ten times a second.
    let (played_tx, played_rx) = RingBuffer::new(rate as usize * 2);
    let shared = Arc::new(Shared::default());
    let step = 1.0 / curve.frames() as f32;
    let engine = Engine {
        commands: command_rx,
        retired: retired_tx,
        played: played_tx,
        shared: Arc::clone(&shared),
        curve,
        voice: Voice { version: None, gain: 1.0, position: 0 },
        fading: None,
        playing: false,
        level: 0.0,
        step,
        loop_range: None,
        held: Default::default(),
    };
    let remote = Remote { commands: command_tx, retired: retired_rx, played: played_rx, shared, rate };
    (engine, remote)
}

impl Engine {
    /// Fills one interleaved device buffer of `channels` channels: the
    /// stereo signal on the first two (summed to one for a mono device),
    /// silence on the others.
    pub fn process(&mut self, out: &mut [f32], channels: usize) {
        self.flush_held();
        let channels = channels.max(1);
        for frame in out.chunks_mut(channels) {
            if self.fading.is_none() {
                self.take_commands();
            }
            let (l, r) = self.next_frame();
            match frame {
                [mono] => *mono = 0.5 * (l + r),
                [a, b, rest @ ..] => {
                    *a = l;
                    *b = r;
                    rest.fill(0.0);
                }
                [] => {}
            }
            if self.played.slots() >= 2 {
                let _ = self.played.push(l);
                let _ = self.played.push(r);
            }
        }
        let s = &self.shared;
        s.position.store(self.voice.position, Ordering::Release);
        s.playing.store(self.playing, Ordering::Release);
        s.frames_out.fetch_add((out.len() / channels) as u64, Ordering::Release);
    }

    /// Applies commands until one starts a crossfade (the next waits for it to end).
    fn take_commands(&mut self) {
        while self.fading.is_none() {
            match self.commands.pop() {
                Ok(command) => self.apply(command),
                Err(_) => break,
            }
        }
    }

    fn apply(&mut self, command: Command) {
        match command {
            Command::Play => {
                self.playing = true;
                self.shared.ended.store(false, Ordering::Release);
            }
            Command::Pause => self.playing = false,
            Command::Seek(to) => {
                self.jump(to);
                self.shared.seeks.fetch_add(1, Ordering::AcqRel);
            }
            Command::Loop(range) => self.loop_range = range.filter(|(a, b)| a < b),
            Command::Switch { version, gain } => {
                self.shared.version.store(version.id, Ordering::Release);
                self.shared.switched_at.store(self.voice.position, Ordering::Release);
                self.shared.switches.fetch_add(1, Ordering::AcqRel);
                let incoming = Voice { version: Some(version), gain, position: self.voice.position };
                let outgoing = std::mem::replace(&mut self.voice, incoming);
                self.fade_from(outgoing);
            }
        }
    }

    /// Moves the playhead; the old position fades out under the new one.
    fn jump(&mut self, to: u64) {
        // Before the first version there is no length to clamp to: the
        // position waits for it (the start of `--from`).
        let to = if self.voice.version.is_some() { to.min(self.voice.frames()) } else { to };
        let outgoing =
            Voice { version: self.voice.version.clone(), gain: self.voice.gain, position: self.voice.position };
        self.voice.position = to;
        self.fade_from(outgoing);
    }

    /// Starts a crossfade from `outgoing`, or just lets it go when nothing is heard.
    fn fade_from(&mut self, outgoing: Voice) {
        if self.level == 0.0 {
            self.retire(outgoing.version);
            return;
        }
        if let Some((previous, _)) = self.fading.take() {
            self.retire(previous.version);
        }
        self.fading = Some((outgoing, 0));
    }

    #[inline]
    fn next_frame(&mut self) -> (f32, f32) {
        if !self.playing && self.level == 0.0 {
            return (0.0, 0.0);
        }
        let (mut l, mut r) = self.voice.sample();
        if let Some((outgoing, i)) = &mut self.fading {
            let w = self.curve.gain(*i);
            let (ol, or) = outgoing.sample();
            l = l * w + ol * (1.0 - w);
            r = r * w + or * (1.0 - w);
            outgoing.position += 1;
            *i += 1;
            if *i >= self.curve.frames() {
                if let Some((done, _)) = self.fading.take() {
                    self.retire(done.version);
                }
            }
        }
        let level = self.level;
        self.level = if self.playing { (level + self.step).min(1.0) } else { (level - self.step).max(0.0) };
        self.voice.position += 1;
        self.at_boundary();
        (l * level, r * level)
    }

    /// Loop end → loop start; song end (no loop) → stop there.
    fn at_boundary(&mut self) {
        let position = self.voice.position;
        match self.loop_range {
            Some((start, end)) if position >= end => self.jump(start),
            _ if position >= self.voice.frames() && self.voice.version.is_some() && self.playing => {
                self.playing = false;
                self.level = 0.0;
                self.voice.position = self.voice.frames();
                if let Some((done, _)) = self.fading.take() {
                    self.retire(done.version);
                }
                self.shared.ended.store(true, Ordering::Release);
            }
            _ => {}
        }
    }

    /// Hands a version back to the control thread to be freed there.
    fn retire(&mut self, version: Option<Arc<Version>>) {
        let Some(version) = version else { return };
        if let Err(PushError::Full(version)) = self.retired.push(version) {
            match self.held.iter_mut().find(|h| h.is_none()) {
                Some(slot) => *slot = Some(version),
                // Freeing here would break the real-time rule; a leak of one
                // version (the control thread stopped draining) is the lesser harm.
                None => std::mem::forget(version),
            }
        }
    }

    fn flush_held(&mut self) {
        for slot in &mut self.held {
            if let Some(version) = slot.take() {
                if let Err(PushError::Full(version)) = self.retired.push(version) {
                    *slot = Some(version);
                    return;
                }
            }
        }
    }
}

impl Remote {
    /// Queues a command; gives it back when the ring is full (64 pending).
    pub fn send(&mut self, command: Command) -> Result<(), Command> {
        self.commands.push(command).map_err(|PushError::Full(c)| c)
    }

    /// Frees the versions the engine has let go of.
    pub fn collect(&mut self) {
        while let Ok(version) = self.retired.pop() {
            drop(version);
        }
    }

    /// Appends what was played since the last call (interleaved stereo) to `out`.
    pub fn drain_played(&mut self, out: &mut Vec<f32>) {
        let n = self.played.slots() & !1;
        if let Ok(chunk) = self.played.read_chunk(n) {
            let (a, b) = chunk.as_slices();
            out.extend_from_slice(a);
            out.extend_from_slice(b);
            chunk.commit_all();
        }
    }

    pub fn position(&self) -> u64 {
        self.shared.position.load(Ordering::Acquire)
    }

    pub fn playing(&self) -> bool {
        self.shared.playing.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests;
