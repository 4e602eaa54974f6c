//! `mixc help PROCESSOR`: every parameter with its kind, range (in the unit
//! users write), default and meaning; and a closed pipe ends mixc quietly.

use std::io::Read;
use std::process::{Command, Stdio};

use mixc::processor::registry::{lookup, names};

fn help(topic: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mixc")).args(["help", topic]).output().expect("run mixc");
    assert!(out.status.success(), "mixc help {topic}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The row of parameter `name`, its cells split on runs of two spaces.
fn row(text: &str, name: &str) -> Vec<String> {
    let line = text
        .lines()
        .find(|l| l.trim_start().split("  ").next() == Some(name))
        .unwrap_or_else(|| panic!("no row for `{name}` in:\n{text}"));
    line.split("  ").map(str::trim).filter(|c| !c.is_empty()).map(String::from).collect()
}

#[test]
fn compressor_help_gives_kind_range_default_and_meaning() {
    let text = help("compressor");
    assert_eq!(row(&text, "threshold")[..4], ["threshold", "a level", "-120dB to 24dB", "required"]);
    assert_eq!(row(&text, "attack")[..4], ["attack", "a time", "0ms to 1s", "required"]);
    assert_eq!(row(&text, "knee")[..4], ["knee", "a level", "0dB to 48dB", "default 0dB"]);
    assert_eq!(row(&text, "mix")[..4], ["mix", "a percentage", "0% to 100%", "default 100%"]);
    assert_eq!(row(&text, "detect")[..4], ["detect", "a name", "peak | rms", "optional"]);
    assert!(row(&text, "release")[4].contains("63%"), "the time-constant convention is stated");
}

#[test]
fn every_processor_lists_every_parameter() {
    for name in names() {
        let text = help(name);
        let spec = lookup(name).expect("registered");
        for p in spec.params {
            let cells = row(&text, p.name);
            assert!(cells.len() >= 4, "{name}.{}: {cells:?}", p.name);
            assert!(cells.iter().any(|c| c == p.kind.describe()), "{name}.{}: {cells:?}", p.name);
        }
    }
}

/// `mixc help | head -1`: the reader goes away; mixc must not panic.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mixc"))
        .args(["help"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mixc");
    drop(child.stdout.take());
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("read stderr");
    child.wait().expect("wait");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Giving `render` the wrong kind of path says what it is and what to do.
#[test]
fn render_names_a_wrong_path_plainly() {
    let p = crate::common::Project::new();
    p.wav_int("song.wav", 48_000, 24, &[vec![0.0; 100]]);
    std::fs::create_dir_all(p.path("folder")).expect("mkdir");
    for (arg, says, help) in [
        ("song.wav", "is not a text file", "mixc meter song.wav"),
        ("folder", "is a folder", "the `.mix` file itself"),
        ("missing.mix", "does not exist", "check the path"),
    ] {
        let out = p.mixc(&["render", arg]);
        assert_eq!(out.status.code(), Some(2), "{arg}: could not run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says) && stderr.contains(help), "{arg}: {stderr}");
    }
}
