//! `mixc watch` driven like an editor drives it: real files, real file-system
//! events, write-and-rename saves as well as in-place writes.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use crate::common::*;

const RATE: u32 = 48_000;

/// A running `mixc watch` with its stderr lines on a channel.
struct Watcher {
    child: Child,
    lines: Receiver<String>,
    log: Vec<String>,
}

impl Watcher {
    fn start(dir: &Path, file: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mixc"))
            .args(["watch", file])
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mixc watch");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Watcher { child, lines, log: Vec::new() }
    }

    /// Waits for the next line containing one of `needles`; returns it.
    fn expect(&mut self, needles: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(line) = self.lines.recv_timeout(left) else { break };
            self.log.push(line.clone());
            if needles.iter().any(|n| line.contains(n)) {
                return line;
            }
        }
        panic!("no line with {needles:?}; log:\n{}", self.log.join("\n"));
    }

    /// Asserts nothing is printed for `wait`.
    fn expect_silence(&mut self, wait: Duration) {
        if let Ok(line) = self.lines.recv_timeout(wait) {
            panic!("unexpected output: {line}\nlog:\n{}", self.log.join("\n"));
        }
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Ctrl-C, then wait for the process to end.
    fn interrupt(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("mixc watch did not stop on SIGINT");
    }
}

/// Saves like most editors: write a temporary file, rename it over the original.
fn save_by_rename(path: &Path, text: &str) {
    let tmp = path.with_extension("swp~");
    std::fs::write(&tmp, text).expect("write temp");
    std::fs::rename(&tmp, path).expect("rename");
}

const SONG: &str = "track a { source = \"a.wav\", chain = lowpass(8kHz), out = grp }\ntrack b { source = \"b.wav\", chain = highpass(100Hz), out = grp }\nbus grp {}\nmaster { chain = peak(1kHz, +2dB) }\nexport \"out.wav\"\n";

#[test]
fn watch_rerenders_incrementally_and_survives_mistakes() {
    let p = Project::new();
    p.wav_int("a.wav", RATE, 24, &[noise(96_000, 1, 0.3, 24), noise(96_000, 2, 0.3, 24)]);
    p.wav_int("b.wav", RATE, 24, &[noise(96_000, 3, 0.3, 24)]);
    let song = p.file("song.mix", SONG);
    let mut w = Watcher::start(p.dir.path(), "song.mix");
    w.expect(&["re-rendered 4 of 4 nodes"]);
    let first = std::fs::read(p.path("out.wav")).expect("first output");

    // A change to the master chain only: no track or bus is processed again.
    save_by_rename(&song, &SONG.replace("+2dB", "+4dB"));
    let line = w.expect(&["re-rendered"]);
    assert!(line.contains("re-rendered 1 of 4 nodes (master)"), "{line}");
    let second = std::fs::read(p.path("out.wav")).expect("second output");
    assert_ne!(first, second, "the parameter change did not change the output");

    // A syntax error, written in place: diagnostics, output untouched, still running.
    std::fs::write(&song, SONG.replace("+2dB", "+4dB").replace("bus grp {}", "bus grp {")).expect("write");
    w.expect(&["syntax error"]);
    w.expect(&["not rendered"]);
    assert!(w.alive());
    assert_eq!(std::fs::read(p.path("out.wav")).expect("read"), second, "a broken edit touched the output");

    // The fix renders again (the same content as before the error: nothing to do).
    save_by_rename(&song, &SONG.replace("+2dB", "+5dB"));
    let line = w.expect(&["re-rendered"]);
    assert!(line.contains("1 of 4"), "{line}");

    // An unrelated file in the same folder renders nothing.
    p.file("notes.txt", "mix notes");
    w.expect_silence(Duration::from_millis(1500));

    // Replacing a source re-renders that track and what lies downstream.
    let replacement = p.path("b-new.wav");
    write_wav_int(&replacement, RATE, 24, &[noise(96_000, 9, 0.3, 24)]);
    std::fs::rename(&replacement, p.path("b.wav")).expect("replace source");
    let line = w.expect(&["re-rendered"]);
    assert!(line.contains("re-rendered 3 of 4 nodes (b, grp, master)"), "{line}");

    let status = w.interrupt();
    assert!(status.success(), "watch did not exit cleanly: {status}");
    let leftovers = std::fs::read_dir(p.dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("mixc-tmp"))
        .count();
    assert_eq!(leftovers, 0);
}
