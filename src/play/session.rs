//! A listening session: renders (or decodes) on their own thread, the
//! device pulling audio on its own, and this loop on the control thread —
//! keys, the status line, the meter, and handing each new render to the
//! engine. Nothing here waits on a render: the loop polls every 20 ms.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event as TermEvent};

use super::deck::Side;
use super::feed::{spawn_decode, spawn_renders, Event};
use super::keys::{self, Action, Prompt, PromptResult};
use super::live_meter::LiveMeter;
use super::output::{self, Stream};
use super::player::{Cue, Player};
use super::position;
use super::status::Status;
use super::terminal::{self, RawTerminal};
use super::version::Version;
use crate::check::timing::Timing;
use crate::deliver::mastering::Programme;
use crate::watch::{Heard, Outcome, Wake, WatchOptions};

/// What to play.
pub enum Input {
    /// A song, rendered now and — with `options.follow` — again on every save.
    Song { file: PathBuf, options: WatchOptions },
    /// An audio file, decoded once.
    Audio(PathBuf),
}

/// How to play it.
#[derive(Debug, Clone, Default)]
pub struct PlayOptions {
    pub device: Option<String>,
    pub cue: Cue,
}

/// Plays `input` until `q`, Ctrl-C, `stop`, or — without a terminal — the
/// end of a one-shot input. `print` shows each render's outcome (the
/// binary's `watch` lines). Returns the exit code.
pub fn play(input: Input, options: PlayOptions, stop: Arc<AtomicBool>, print: &mut dyn FnMut(Outcome)) -> u8 {
    let (tx, rx) = channel();
    let (one_shot, wake, render_thread) = match input {
        Input::Song { file, options } => {
            let one_shot = !options.follow;
            let (wake, thread) = spawn_renders(file, options, Arc::clone(&stop), tx.clone());
            (one_shot, Some(wake), Some(thread))
        }
        Input::Audio(file) => {
            spawn_decode(file, tx.clone());
            (true, None, None)
        }
    };
    let term = RawTerminal::enter();
    let mut session = Session {
        options,
        tx,
        term,
        stream: None,
        player: None,
        meter: None,
        next_id: 1,
        prompt: None,
        solo: None,
        switches_seen: 0,
        heard_last: None,
        last_status: Instant::now(),
        rendering: true,
        one_shot,
        exit: None,
    };
    let code = session.run(&rx, &stop, wake.as_ref(), print);
    stop.store(true, Ordering::SeqCst);
    if let Some(w) = &wake {
        let _ = w.send(Wake::Stop);
    }
    if let Some(t) = render_thread {
        let _ = t.join();
    }
    // The device stops before the engine's versions are freed, and the
    // terminal is restored last (when `session` drops).
    session.stream = None;
    code
}

struct Session {
    options: PlayOptions,
    tx: Sender<Event>,
    term: Option<RawTerminal>,
    stream: Option<Stream>,
    player: Option<Player>,
    meter: Option<LiveMeter>,
    next_id: u32,
    prompt: Option<Prompt>,
    solo: Option<String>,
    switches_seen: u64,
    /// The version and side the log last said were playing.
    heard_last: Option<(u32, &'static str)>,
    last_status: Instant,
    rendering: bool,
    one_shot: bool,
    exit: Option<u8>,
}

impl Session {
    fn run(
        &mut self,
        rx: &Receiver<Event>,
        stop: &AtomicBool,
        wake: Option<&Sender<Wake>>,
        print: &mut dyn FnMut(Outcome),
    ) -> u8 {
        let mut played = Vec::new();
        loop {
            while let Ok(event) = rx.try_recv() {
                self.event(event, print);
            }
            if let Some(code) = self.exit {
                return code;
            }
            if stop.load(Ordering::SeqCst) {
                return 0;
            }
            self.keys(wake);
            if let Some(code) = self.exit {
                return code;
            }
            if let Some(p) = &mut self.player {
                p.remote.collect();
                played.clear();
                p.remote.drain_played(&mut played);
                if let Some(m) = &mut self.meter {
                    m.feed(&played);
                }
                self.note_switch();
                if self.one_shot && self.term.is_none() && self.player_ended() {
                    return 0;
                }
            }
            if self.last_status.elapsed() >= Duration::from_millis(100) {
                self.draw_status();
            }
        }
    }

    fn player_ended(&self) -> bool {
        self.player.as_ref().is_some_and(|p| p.remote.shared.ended.load(Ordering::Acquire))
    }

    fn event(&mut self, event: Event, print: &mut dyn FnMut(Outcome)) {
        match event {
            Event::Outcome(Outcome::Audio(Heard { programme, timing })) => self.heard(programme, timing),
            Event::Outcome(outcome) => {
                let failed_first = self.player.is_none() && matches!(outcome, Outcome::Invalid(_) | Outcome::Failed(_));
                let code = match &outcome {
                    Outcome::Invalid(e) | Outcome::Failed(e) => e.exit_code() as u8,
                    _ => 0,
                };
                if let Outcome::NoSuchNode { .. } = outcome {
                    self.solo = None;
                }
                self.rendering = false;
                self.clear_status();
                match &self.term {
                    Some(t) => t.cooked(|| print(outcome)),
                    None => print(outcome),
                }
                if failed_first && self.one_shot {
                    self.exit = Some(code);
                }
            }
            Event::Decoded(Ok(programme)) => {
                self.rendering = false;
                self.heard(programme, Timing { tempo: None, meter: (4, 4) });
            }
            Event::Decoded(Err(e)) => {
                self.say(&format!("error: {e}"));
                self.exit = Some(2);
            }
            Event::Loudness(id, lufs) => {
                if let Some(p) = &mut self.player {
                    p.loudness(id, lufs);
                }
            }
            Event::Ended(Some(e)) => {
                self.say(&format!("error: cannot watch files: {e}"));
                self.exit = Some(2);
            }
            Event::Ended(None) => {}
        }
    }

    /// A render (or the decoded file) is complete: open the device on the
    /// first, then hand it to the engine.
    fn heard(&mut self, programme: Programme, timing: Timing) {
        // Rendered: what is left (writing the files) is not waited for.
        self.rendering = false;
        if self.player.is_none() {
            let device = self.options.device.clone();
            match output::start(device.as_deref(), programme.rate, |rate| {
                let (engine, remote) = super::engine::channel(rate);
                self.player = Some(Player::new(remote, self.options.cue.clone()));
                engine
            }) {
                Ok(stream) => {
                    self.meter = Some(LiveMeter::new(stream.rate));
                    // The keys work only with a terminal; without one there is nothing to press.
                    if self.term.is_some() {
                        self.say(keys::HELP);
                    }
                    self.say(&format!("playing through {} at {} Hz", stream.name, stream.rate));
                    self.stream = Some(stream);
                }
                Err(e) => {
                    self.player = None;
                    self.say(&format!("error: {e}"));
                    self.exit = Some(2);
                    return;
                }
            }
        }
        let Some(player) = &mut self.player else { return };
        let id = self.next_id;
        self.next_id += 1;
        let version = match Version::new(id, programme, player.rate()) {
            Ok(v) => Arc::new(v),
            Err(e) => {
                self.say(&format!("error: cannot convert the render to the device rate: {e}"));
                return;
            }
        };
        // Loudness for level-matched A/B: measured off the control thread.
        let (measure, tx) = (Arc::clone(&version), self.tx.clone());
        std::thread::spawn(move || {
            let _ = tx.send(Event::Loudness(measure.id, measure.integrated()));
        });
        if let Err(e) = player.push(version, timing) {
            self.say(&format!("error: {e}"));
            self.exit = Some(2);
        }
    }

    /// Logs the playhead where each new version took over (what the device test reads).
    fn note_switch(&mut self) {
        let Some(p) = &self.player else { return };
        let shared = &p.remote.shared;
        let switches = shared.switches.load(Ordering::Acquire);
        if switches == self.switches_seen {
            return;
        }
        self.switches_seen = switches;
        let at = shared.switched_at.load(Ordering::Acquire);
        let id = shared.version.load(Ordering::Acquire);
        let side = if p.deck.id(Side::B) == Some(id) && p.deck.side == Some(Side::B) { "B" } else { "A" };
        // A level-match change crossfades the same version to a new gain: not news.
        if self.heard_last == Some((id, side)) {
            return;
        }
        self.heard_last = Some((id, side));
        let text = format!(
            "v{id} ({side}) playing from {} (frame {at} at {} Hz)",
            position::clock(at as f64 / p.rate() as f64),
            p.rate()
        );
        self.say(&text);
    }

    fn keys(&mut self, wake: Option<&Sender<Wake>>) {
        if self.term.is_none() {
            std::thread::sleep(Duration::from_millis(20));
            return;
        }
        while let Ok(true) = event::poll(Duration::from_millis(20)) {
            let Ok(TermEvent::Key(key)) = event::read() else { continue };
            if let Some(prompt) = &mut self.prompt {
                match prompt.key(key) {
                    PromptResult::Typing => {}
                    PromptResult::Cancelled => self.prompt = None,
                    PromptResult::Done(name) => {
                        self.prompt = None;
                        self.solo_node(name, wake);
                    }
                }
                self.draw_status();
                continue;
            }
            match keys::action(key) {
                Some(Action::Quit) => {
                    self.exit = Some(0);
                    return;
                }
                Some(Action::Solo) if wake.is_none() => self.say("solo needs a .mix file: an audio file has no nodes"),
                Some(Action::Solo) => self.prompt = Some(Prompt::default()),
                Some(action) => {
                    if let Some(message) = self.player.as_mut().and_then(|p| p.act(action)) {
                        self.say(&message);
                    }
                    if matches!(action, Action::Seek(_) | Action::Restart) {
                        if let Some(m) = &mut self.meter {
                            m.reset();
                        }
                    }
                }
                None => {}
            }
            self.draw_status();
        }
    }

    fn solo_node(&mut self, name: String, wake: Option<&Sender<Wake>>) {
        let Some(wake) = wake else { return };
        let name = (!name.is_empty()).then_some(name);
        self.say(&match &name {
            Some(n) => format!("solo {n}: rendering"),
            None => "solo off: rendering".into(),
        });
        self.solo = name.clone();
        self.rendering = true;
        let _ = wake.send(Wake::Solo(name));
    }

    /// A log line above the status line.
    fn say(&mut self, text: &str) {
        self.clear_status();
        let mut err = std::io::stderr();
        let _ = if self.term.is_some() { write!(err, "{text}\r\n") } else { writeln!(err, "{text}") };
        self.draw_status();
    }

    fn clear_status(&self) {
        if self.term.is_some() {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }

    fn draw_status(&mut self) {
        self.last_status = Instant::now();
        if self.term.is_none() {
            return;
        }
        let line = match (&self.prompt, &self.player) {
            (Some(p), _) => format!("solo which node? (Enter; empty for none; Esc cancels): {}", p.text),
            (None, None) => "waiting for the first good render…".into(),
            (None, Some(p)) => self.status(p).line(terminal::width().saturating_sub(1)),
        };
        let mut err = std::io::stderr();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }

    fn status(&self, p: &Player) -> Status {
        let seconds = p.seconds();
        let id = p.remote.shared.version.load(Ordering::Acquire);
        let side = if p.deck.side == Some(Side::B) && p.deck.id(Side::B) == Some(id) { Side::B } else { Side::A };
        let matched_db = p.deck.matched.then(|| p.deck.gain_db(side));
        Status {
            playing: p.remote.playing(),
            clock: position::clock(seconds),
            bar_beat: position::bar_beat(seconds, &p.timing),
            reading: self.meter.as_ref().map(|m| m.reading()).unwrap_or(super::live_meter::Reading {
                momentary: f64::NEG_INFINITY,
                short_term: f64::NEG_INFINITY,
                true_peak: None,
            }),
            version: (id > 0).then_some((id, side)),
            matched_db,
            looping: p.loop_on.then(|| p.loop_text.clone().unwrap_or_default()),
            solo: self.solo.clone(),
            rendering: self.rendering,
        }
    }
}
