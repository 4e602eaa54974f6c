//! The control thread's transport: what each key does to the engine, the
//! A/B deck, the loop and the start position, in frames at the device rate.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::deck::{Deck, Side};
use super::engine::{Command, Remote};
use super::keys::Action;
use super::position::{self, Position};
use super::version::Version;
use crate::check::timing::Timing;

/// Where to start and what to loop, as the command line gave them.
#[derive(Debug, Clone, Default)]
pub struct Cue {
    pub from: Option<Position>,
    /// The loop range, and how it was written (for the status line).
    pub looping: Option<(Position, Position, String)>,
}

/// The transport as the control thread sees it.
pub struct Player {
    pub remote: Remote,
    pub deck: Deck,
    pub timing: Timing,
    cue: Cue,
    /// Resolved once the first version (and so the song's length and tempo) is known.
    start: u64,
    loop_range: Option<(u64, u64)>,
    pub loop_on: bool,
    pub loop_text: Option<String>,
    started: bool,
    /// Seeks sent, and where the last one went: a second arrow press before
    /// the engine has taken the first moves on from there, not from the
    /// playhead the engine last published.
    seeks_sent: u64,
    last_seek: u64,
}

impl Player {
    pub fn new(remote: Remote, cue: Cue) -> Player {
        let loop_text = cue.looping.as_ref().map(|(_, _, t)| t.clone());
        Player {
            remote,
            deck: Deck::default(),
            timing: Timing::default(),
            cue,
            start: 0,
            loop_range: None,
            loop_on: false,
            loop_text,
            started: false,
            seeks_sent: 0,
            last_seek: 0,
        }
    }

    pub fn rate(&self) -> u32 {
        self.remote.rate
    }

    fn frames(&self, seconds: f64) -> u64 {
        (seconds.max(0.0) * self.rate() as f64).round() as u64
    }

    /// A new good render: it plays from the same playhead (crossfaded). The
    /// first one also starts playback at `--from` with `--loop` set.
    pub fn push(&mut self, version: Arc<Version>, timing: Timing) -> Result<(), String> {
        self.timing = timing;
        let first = !self.started;
        if first {
            self.cue_up(version.frames())?;
            // The playhead goes to the start before the first version arrives,
            // so that version "takes over" there.
            self.seek(self.start);
        }
        let (v, gain) = self.deck.push(version);
        self.send(Command::Switch { version: v, gain });
        if first {
            self.send(Command::Loop(self.loop_range));
            self.send(Command::Play);
        }
        Ok(())
    }

    /// Resolves `--from` and `--loop` against the first version's length and the song's timing.
    fn cue_up(&mut self, length: u64) -> Result<(), String> {
        self.started = true;
        let timing = self.timing;
        if let Some((a, b, _)) = &self.cue.looping {
            let (a, b) = (self.frames(a.seconds(&timing)?), self.frames(b.seconds(&timing)?));
            if a >= b || a >= length {
                return Err(format!(
                    "the loop {} must start before it ends and before the song does ({})",
                    self.loop_text.as_deref().unwrap_or_default(),
                    position::clock(length as f64 / self.rate() as f64)
                ));
            }
            self.loop_range = Some((a, b.min(length)));
            self.loop_on = true;
            self.start = a;
        }
        if let Some(from) = &self.cue.from {
            let seconds = from.seconds(&timing)?;
            self.start = self.frames(seconds);
            if self.start >= length {
                return Err(format!(
                    "`--from` is at {}, past the end of the song ({})",
                    position::clock(seconds),
                    position::clock(length as f64 / self.rate() as f64)
                ));
            }
        }
        Ok(())
    }

    /// Carries out a key's action; returns a message for the log, if any.
    /// `Solo` and `Quit` are the session's to handle.
    pub fn act(&mut self, action: Action) -> Option<String> {
        if !self.started {
            return Some("nothing to play yet: waiting for the first good render".into());
        }
        let length = self.deck.current().0.frames();
        match action {
            Action::TogglePause if self.remote.playing() => self.send(Command::Pause),
            Action::TogglePause => {
                if self.remote.shared.ended.load(Ordering::Acquire) || self.remote.position() >= length {
                    self.seek(self.start);
                }
                self.send(Command::Play);
            }
            Action::Seek(seconds) => {
                let delta = self.frames(seconds.abs()) as i64 * seconds.signum() as i64;
                let to = (self.playhead() as i64 + delta).clamp(0, length as i64) as u64;
                self.seek(to);
            }
            Action::Restart => self.seek(self.start),
            Action::ToggleLoop => {
                let range = *self.loop_range.get_or_insert((0, length));
                self.loop_on = !self.loop_on;
                if self.loop_text.is_none() {
                    self.loop_text = Some("whole song".into());
                }
                self.send(Command::Loop(self.loop_on.then_some(range)));
            }
            Action::Select(side) => match self.deck.select(side) {
                Some((version, gain)) => self.send(Command::Switch { version, gain }),
                None => return Some("no previous render yet: B is the render before the latest".into()),
            },
            Action::ToggleMatch => {
                if let Some((version, gain)) = self.deck.toggle_match() {
                    self.send(Command::Switch { version, gain });
                }
                let both = self.deck.id(Side::B).is_some();
                return Some(match (self.deck.matched, both) {
                    (false, _) => "level match off".into(),
                    (true, false) => "level match on: there is no previous render to match yet".into(),
                    (true, true) => format!(
                        "level match on: A {:+.1} dB, B {:+.1} dB (the louder turned down to the quieter)",
                        self.deck.gain_db(Side::A),
                        self.deck.gain_db(Side::B)
                    ),
                });
            }
            Action::Solo | Action::Quit => {}
        }
        None
    }

    /// Records a version's integrated loudness; re-applies the match gain if on.
    pub fn loudness(&mut self, id: u32, lufs: Option<f64>) {
        self.deck.set_loudness(id, lufs);
        if self.deck.matched && self.deck.side.is_some() {
            let (version, gain) = self.deck.current();
            self.send(Command::Switch { version, gain });
        }
    }

    fn seek(&mut self, to: u64) {
        self.seeks_sent += 1;
        self.last_seek = to;
        self.send(Command::Seek(to));
    }

    /// The playhead, counting seeks the engine has not applied yet.
    fn playhead(&self) -> u64 {
        match self.remote.shared.seeks.load(Ordering::Acquire) < self.seeks_sent {
            true => self.last_seek,
            false => self.remote.position(),
        }
    }

    fn send(&mut self, command: Command) {
        // 64 commands pending means the audio callback has stopped; the
        // command is dropped rather than blocking the keys.
        let _ = self.remote.send(command);
    }

    /// The playhead in seconds.
    pub fn seconds(&self) -> f64 {
        self.remote.position() as f64 / self.rate() as f64
    }
}

#[cfg(test)]
mod tests;
