//! `mixc watch` driven like an editor drives it: real files, real file-system
//! events, write-and-rename saves as well as in-place writes.

use std::time::Duration;

use crate::common::*;
use crate::running::{save_by_rename, Running};

const RATE: u32 = 48_000;

const SONG: &str = "track a { source = \"a.wav\", chain = lowpass(8kHz), out = grp }\ntrack b { source = \"b.wav\", chain = highpass(100Hz), out = grp }\nbus grp {}\nmaster { chain = peak(1kHz, +2dB) }\nexport \"out.wav\"\n";

#[test]
fn watch_rerenders_incrementally_and_survives_mistakes() {
    let p = Project::new();
    p.wav_int("a.wav", RATE, 24, &[noise(96_000, 1, 0.3, 24), noise(96_000, 2, 0.3, 24)]);
    p.wav_int("b.wav", RATE, 24, &[noise(96_000, 3, 0.3, 24)]);
    let song = p.file("song.mix", SONG);
    let mut w = Running::start(p.dir.path(), &["watch", "song.mix"], &[]);
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
