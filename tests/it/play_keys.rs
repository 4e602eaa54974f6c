//! The keys of `mixc play` through a real pseudo-terminal: tmux runs mixc
//! in a detached session, keys go in with `send-keys`, the screen comes back
//! with `capture-pane`. The `clock` output pulls audio at the real-time rate
//! without a sound card, so this runs in every build; where tmux is missing
//! the tests say so and pass (the transport behind the keys is also tested
//! against an in-memory sink, `src/play/player_tests.rs`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::*;

/// A tmux server of the test's own (its socket in the project folder).
struct Tmux {
    socket: PathBuf,
}

impl Tmux {
    /// Runs `script` (sh) in a detached 160×16 session in `dir`; `None`, with
    /// the reason printed, where tmux cannot run.
    fn start(dir: &Path, script: &str) -> Option<Tmux> {
        let tmux = Tmux { socket: dir.join("tmux.sock") };
        let out = tmux.run(&["new-session", "-d", "-s", "mixc", "-x", "160", "-y", "16", "-c", dir.to_str()?, script]);
        match out {
            Some(o) if o.status.success() => Some(tmux),
            Some(o) => {
                println!("skipped the terminal test: tmux did not start: {}", String::from_utf8_lossy(&o.stderr));
                None
            }
            None => {
                println!("skipped the terminal test: `tmux` is not installed (Debian: tmux)");
                None
            }
        }
    }

    fn run(&self, args: &[&str]) -> Option<Output> {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(["-f", "/dev/null"])
            .args(args)
            .env("TERM", "xterm-256color")
            .output()
            .ok()
    }

    /// Key names as tmux spells them (`Space`, `Right`, `C-c`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "mixc"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Text typed as it is.
    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "mixc", "-l", text]);
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "mixc"])
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// The status line: the last line with text on it.
    fn status(&self) -> String {
        self.screen().lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default().to_string()
    }

    /// Waits until the status line passes `test`; returns it.
    fn wait_status(&self, what: &str, test: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let status = self.status();
            if test(&status) {
                return status;
            }
            assert!(Instant::now() < deadline, "status never showed {what}; screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// Waits until some line of the screen contains `text`.
    fn wait_screen(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.screen().contains(text) {
            assert!(Instant::now() < deadline, "the screen never showed `{text}`:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(40));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

/// The status line's clock, `m:ss.t`, in seconds (`None` for another line).
fn clock(status: &str) -> Option<f64> {
    if !status.starts_with(['▶', '⏸']) {
        return None;
    }
    let (m, s) = status.split_whitespace().nth(1)?.split_once(':')?;
    Some(m.parse::<f64>().ok()? * 60.0 + s.parse::<f64>().ok()?)
}

/// The status shows `play` (▶, else ⏸) with the clock passing `at`.
fn at(status: &str, play: bool, at: impl Fn(f64) -> bool) -> bool {
    status.starts_with(if play { '▶' } else { '⏸' }) && clock(status).is_some_and(at)
}

/// A 20-second song at 120 bpm (a bar is 2 s) with two tracks to solo.
fn project() -> Project {
    let p = Project::new();
    let frames = 20 * 48_000;
    p.wav_int("tone.wav", 48_000, 24, &[sine(frames, 48_000, 440.0, 0.25, 24)]);
    p.wav_int("hum.wav", 48_000, 24, &[sine(frames, 48_000, 110.0, 0.25, 24)]);
    p.file("song.mix", SONG);
    p
}

const SONG: &str = "rate = 48kHz\ntempo = 120bpm\ntrack tone { source = \"tone.wav\" }\ntrack hum { source = \"hum.wav\", gain = -6dB }\nexport \"out/song.wav\"\n";

/// `mixc ARGS`, then what the terminal looks like afterwards; the
/// terminal's settings before it starts are kept for comparison.
fn script(args: &str) -> String {
    format!(
        "stty -a > stty-before.txt; NO_COLOR=1 '{}' {args}; echo $? > exit.txt; stty -a > stty-after.txt; sleep 60",
        env!("CARGO_BIN_EXE_mixc")
    )
}

/// Waits for mixc to exit; returns its exit code, after checking that the
/// terminal is back in the mode it was in (echo, line editing).
fn exit_code(p: &Project, tmux: &Tmux) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(15);
    let code = loop {
        // Written and closed before stty-after.txt: wait for both.
        if let (Ok(code), Ok(_)) =
            (std::fs::read_to_string(p.path("exit.txt")), std::fs::metadata(p.path("stty-after.txt")))
        {
            std::thread::sleep(Duration::from_millis(100));
            break code.trim().parse().unwrap();
        }
        assert!(Instant::now() < deadline, "mixc did not exit; screen:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(50));
    };
    let before = std::fs::read_to_string(p.path("stty-before.txt")).unwrap();
    let after = std::fs::read_to_string(p.path("stty-after.txt")).unwrap();
    assert!(after.contains(" icanon") && after.contains(" echo "), "not restored:\n{after}");
    assert_eq!(before, after, "the terminal's settings changed");
    code
}

#[test]
fn keys_pause_seek_loop_solo_and_ab_and_q_restores_the_terminal() {
    let p = project();
    let Some(tmux) = Tmux::start(p.dir.path(), &script("play song.mix --device clock --from 0:08")) else { return };

    // Playing from --from, with bar:beat at the song's tempo.
    let status = tmux.wait_status("playing v1", |s| s.starts_with('▶') && s.contains("v1 (A latest)"));
    let t = clock(&status).unwrap();
    assert!((8.0..12.0).contains(&t), "started at --from 0:08: {status}");
    assert!(status.contains(" LUFS") && status.contains(" dBTP"), "{status}");

    // Space pauses: the clock holds.
    tmux.keys(&["Space"]);
    let paused = tmux.wait_status("paused", |s| s.starts_with('⏸'));
    std::thread::sleep(Duration::from_millis(400));
    let held = clock(&tmux.status()).unwrap();
    assert!((held - clock(&paused).unwrap()).abs() < 0.15, "paused at {paused}, then {held}");
    let (bar, beat) = ((held / 2.0).floor() as u32 + 1, (held / 0.5).floor() as u32 % 4 + 1);
    assert!(tmux.status().contains(&format!("bar {bar}:{beat}")), "bar {bar}:{beat} at {held} s: {}", tmux.status());

    // Arrows seek 5 s, paused or not; the start is as far back as they go.
    tmux.keys(&["Right"]);
    tmux.wait_status("5 s on", |s| at(s, false, |t| (t - (held + 5.0)).abs() < 0.05));
    tmux.keys(&["Left", "Left", "Left", "Left"]);
    tmux.wait_status("the start", |s| at(s, false, |t| t == 0.0));

    // Space resumes from there.
    tmux.keys(&["Space"]);
    tmux.wait_status("playing again", |s| at(s, true, |t| t >= 0.5));

    // l loops the whole song (no --loop given), and off again.
    tmux.keys(&["l"]);
    tmux.wait_status("the loop", |s| s.contains("loop whole song"));
    tmux.keys(&["l"]);
    tmux.wait_status("no loop", |s| !s.contains("loop"));

    // B and level match before there is a second render say why not.
    tmux.keys(&["b"]);
    tmux.wait_screen("no previous render yet");
    tmux.keys(&["m"]);
    tmux.wait_screen("level match on: there is no previous render to match yet");

    // s asks for a name; a wrong one is refused with a suggestion.
    tmux.keys(&["s"]);
    tmux.wait_status("the prompt", |s| s.starts_with("solo which node?"));
    tmux.type_text("hun");
    tmux.keys(&["Enter"]);
    tmux.wait_screen("cannot solo `hun`: the song has no track or bus of that name (did you mean `hum`?)");
    // The right one renders v2 with only `hum` audible, matched to v1's loudness.
    tmux.keys(&["s"]);
    tmux.type_text("hum");
    tmux.keys(&["Enter"]);
    tmux.wait_screen("solo hum: rendering");
    let soloed = tmux.wait_status("v2 soloed", |s| s.contains("v2 (A latest)") && s.contains("solo hum"));
    assert!(!soloed.contains("rendering"), "{soloed}");
    tmux.wait_screen("v2 (A) playing from");

    // b and a switch between the render before and the latest.
    tmux.keys(&["b"]);
    // Once both are measured, the louder B is turned down to A's loudness.
    tmux.wait_status("B turned down", |s| s.contains("v1 (B previous) matched -"));
    tmux.keys(&["a"]);
    tmux.wait_status("A", |s| s.contains("v2 (A latest)"));

    tmux.keys(&["q"]);
    assert_eq!(exit_code(&p, &tmux), 0);
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let p = project();
    let Some(tmux) = Tmux::start(p.dir.path(), &script("play song.mix --device clock")) else { return };
    tmux.wait_status("playing", |s| at(s, true, |t| t > 0.2));
    tmux.keys(&["C-c"]);
    assert_eq!(exit_code(&p, &tmux), 0);
}

#[test]
fn an_audio_file_plays_with_the_same_keys_and_ends_by_itself_without_a_terminal() {
    let p = project();
    let Some(tmux) = Tmux::start(p.dir.path(), &script("play tone.wav --device clock --from 18s")) else { return };
    let status = tmux.wait_status("playing the file", |s| s.starts_with('▶') && s.contains("v1 (A latest)"));
    assert!(!status.contains("bar "), "a plain file has no tempo: {status}");
    // At the end it stops and waits for a key: space plays from where it started again.
    tmux.wait_status("the end", |s| at(s, false, |t| t == 20.0));
    tmux.keys(&["Space"]);
    tmux.wait_status("from --from", |s| at(s, true, |t| (18.0..20.0).contains(&t)));
    tmux.keys(&["q"]);
    assert_eq!(exit_code(&p, &tmux), 0);

    // Without a terminal there are no keys: it plays to the end and exits.
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_mixc"))
        .args(["play", "tone.wav", "--device", "clock", "--from", "19s"])
        .current_dir(p.dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(started.elapsed() >= Duration::from_millis(900), "played in real time: {:?}", started.elapsed());
}

#[test]
fn a_broken_edit_keeps_the_last_good_version_playing_and_shows_why() {
    let p = project();
    let Some(tmux) = Tmux::start(p.dir.path(), &script("watch song.mix --play --device clock")) else { return };
    tmux.wait_status("v1", |s| at(s, true, |t| t > 0.2) && s.contains("v1 (A latest)"));
    crate::running::save_by_rename(&p.path("song.mix"), &SONG.replace("gain = -6dB", "gain = -6dBB"));
    // The diagnostic, with its line, above the status; v1 plays on.
    tmux.wait_screen("song.mix:4");
    let before = clock(&tmux.wait_status("the status again", |s| clock(s).is_some())).unwrap();
    let status = tmux.wait_status("v1 still playing", |s| at(s, true, |t| t > before + 0.3));
    assert!(status.contains("v1 (A latest)"), "{status}");
    // The fix plays as v2, from the same playhead.
    crate::running::save_by_rename(&p.path("song.mix"), &SONG.replace("gain = -6dB", "gain = -3dB"));
    tmux.wait_screen("v2 (A) playing from");
    let status = tmux.wait_status("v2", |s| s.contains("v2 (A latest)"));
    assert!(clock(&status).unwrap() > before, "{status}");
    tmux.keys(&["q"]);
    assert_eq!(exit_code(&p, &tmux), 0);
}
