//! A `mixc` process left running (`watch`, `watch --play`, `play`): its
//! stderr lines on a channel, each with the moment it arrived, and Ctrl-C.

// Shared by several test files, some of them built only with `--features jack`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// A running `mixc` with its stderr lines on a channel.
pub struct Running {
    child: Child,
    lines: Receiver<(Instant, String)>,
    pub log: Vec<String>,
}

impl Running {
    /// `mixc ARGS` in `dir`, with extra environment variables.
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mixc"))
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mixc");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send((Instant::now(), line));
            }
        });
        Running { child, lines, log: Vec::new() }
    }

    /// Waits for the next line containing one of `needles`; returns it.
    pub fn expect(&mut self, needles: &[&str]) -> String {
        self.expect_timed(needles).1
    }

    /// As [`Running::expect`], with the moment the line arrived.
    pub fn expect_timed(&mut self, needles: &[&str]) -> (Instant, String) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok((at, line)) = self.lines.recv_timeout(left) else { break };
            self.log.push(line.clone());
            if needles.iter().any(|n| line.contains(n)) {
                return (at, line);
            }
        }
        panic!("no line with {needles:?}; log:\n{}", self.log.join("\n"));
    }

    /// Waits until a line containing each of `needles` has come, in any
    /// order; returns them (with their moments) in the order of `needles`.
    pub fn expect_each(&mut self, needles: &[&str]) -> Vec<(Instant, String)> {
        let mut found: Vec<Option<(Instant, String)>> = vec![None; needles.len()];
        while found.iter().any(Option::is_none) {
            let missing: Vec<&str> = needles.iter().zip(&found).filter(|(_, f)| f.is_none()).map(|(n, _)| *n).collect();
            let (at, line) = self.expect_timed(&missing);
            for (needle, slot) in needles.iter().zip(&mut found) {
                if slot.is_none() && line.contains(needle) {
                    *slot = Some((at, line.clone()));
                }
            }
        }
        found.into_iter().flatten().collect()
    }

    /// Asserts nothing is printed for `wait`.
    pub fn expect_silence(&mut self, wait: Duration) {
        if let Ok((_, line)) = self.lines.recv_timeout(wait) {
            panic!("unexpected output: {line}\nlog:\n{}", self.log.join("\n"));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Lines that came since the last call, without waiting.
    pub fn drain(&mut self) -> Vec<String> {
        let fresh: Vec<String> = self.lines.try_iter().map(|(_, l)| l).collect();
        self.log.extend(fresh.iter().cloned());
        fresh
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Ctrl-C, then wait for the process to end.
    pub fn interrupt(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("mixc did not stop on SIGINT; log:\n{}", self.log.join("\n"));
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A failed assertion must not leave the process behind.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Saves like most editors: write a temporary file, rename it over the original.
pub fn save_by_rename(path: &Path, text: &str) {
    let tmp = path.with_extension("swp~");
    std::fs::write(&tmp, text).expect("write temp");
    std::fs::rename(&tmp, path).expect("rename");
}
