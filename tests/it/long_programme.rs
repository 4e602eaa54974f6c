//! Long programmes in bounded memory: past `MIXC_HOLD_MIB` the master output
//! waits on disk while it is mastered, and the delivered files are the same
//! bits as when it waits in memory. The 10-hour run is
//! `benches/long_programme.sh`.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;

/// A noise song with a loudness target and a true-peak ceiling, delivered
/// at the session rate and converted to 44.1 kHz FLAC.
fn song(p: &Project, seconds: usize) {
    let frames = seconds * 48_000;
    p.wav_int("noise.wav", 48_000, 16, &[noise(frames, 3, 0.3, 16), noise(frames, 4, 0.3, 16)]);
    p.file(
        "song.mix",
        "rate = 48kHz\ntrack a { source = \"noise.wav\" }\nmaster {\n    loudness = -12LUFS\n    true_peak = -1dBTP\n}\n\
         export \"hi.wav\" { bits = 24 }\nexport \"cd.flac\" { rate = 44.1kHz, bits = 16 }\n",
    );
}

fn render(p: &Project, out: &str, hold_mib: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mixc"));
    cmd.args(["render", "song.mix", "-o", out]).current_dir(p.dir.path()).env("NO_COLOR", "1");
    match hold_mib {
        Some(mib) => cmd.env("MIXC_HOLD_MIB", mib),
        None => cmd.env_remove("MIXC_HOLD_MIB"),
    };
    let out = cmd.output().expect("run mixc");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Held on disk (a 1 MiB bound against a 7.7 MB programme) or in memory,
/// the deliverables are byte for byte the same, and the file on disk is gone.
#[test]
fn a_programme_held_on_disk_delivers_the_same_bits() {
    let p = Project::new();
    song(&p, 20);
    let memory = render(&p, "memory", None);
    let disk = render(&p, "disk", Some("1"));
    let (memory, disk) = (String::from_utf8_lossy(&memory.stderr), String::from_utf8_lossy(&disk.stderr));
    assert!(!memory.contains("held on disk"), "{memory}");
    assert!(disk.contains("held on disk"), "{disk}");
    for file in ["hi.wav", "cd.flac"] {
        let a = std::fs::read(p.path(&format!("memory/{file}"))).expect("memory output");
        let b = std::fs::read(p.path(&format!("disk/{file}"))).expect("disk output");
        assert!(a == b, "{file} differs between the two ways of holding the programme");
    }
    let (_, hi) = read_wav_ints(&p.path("disk/hi.wav"));
    assert_eq!(hi[0].len(), 20 * 48_000, "the delivered length is the programme's");
    for dir in ["disk", "."] {
        let left: Vec<_> = std::fs::read_dir(p.path(dir))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(left.is_empty(), "left behind in {dir}: {left:?}");
    }
}

/// The highest resident set size `mixc` reaches, read from `/proc` while it runs.
#[cfg(target_os = "linux")]
fn peak_rss_mib(p: &Project, out: &str, hold_mib: &str) -> f64 {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mixc"))
        .args(["render", "song.mix", "--quiet", "-o", out])
        .current_dir(p.dir.path())
        .env("MIXC_HOLD_MIB", hold_mib)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mixc");
    let status = Path::new("/proc").join(child.id().to_string()).join("status");
    let mut peak_kib = 0u64;
    loop {
        // VmHWM only grows: the last reading before the exit is the peak so far.
        if let Ok(text) = std::fs::read_to_string(&status) {
            if let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak_kib = peak_kib.max(kib);
            }
        }
        if let Some(code) = child.try_wait().expect("wait") {
            assert!(code.success(), "mixc failed");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    peak_kib as f64 / 1024.0
}

/// Memory stays flat in the programme's length once it is held on disk: a
/// 3-minute programme (66 MiB of f32 master, one more for each delivered
/// copy) peaks far lower with a 1 MiB bound than in memory.
#[cfg(target_os = "linux")]
#[test]
fn memory_stays_flat_when_the_programme_is_held_on_disk() {
    let p = Project::new();
    song(&p, 180);
    let in_memory = peak_rss_mib(&p, "memory", "100000");
    let on_disk = peak_rss_mib(&p, "disk", "1");
    println!("peak RSS: {in_memory:.0} MiB held in memory, {on_disk:.0} MiB held on disk");
    assert!(in_memory > 150.0, "the in-memory path should hold about 3 copies: {in_memory:.0} MiB");
    assert!(on_disk < 60.0, "held on disk, the render still peaked at {on_disk:.0} MiB");
}

/// An album held on disk (each song past a 1 MiB bound) delivers the same
/// bits as one held in memory: a gap, a crossfade, a loudness target, rate
/// conversion, one file for the record and one a song.
#[test]
fn an_album_held_on_disk_delivers_the_same_bits() {
    let p = Project::new();
    for (i, seconds) in [(1u64, 12usize), (2, 9), (3, 10)] {
        let frames = seconds * 48_000;
        p.wav_int(&format!("n{i}.wav"), 48_000, 16, &[noise(frames, i, 0.2, 16), noise(frames, i + 10, 0.2, 16)]);
        p.file(&format!("s{i}.mix"), &format!("title = \"Song {i}\"\ntrack a {{ source = \"n{i}.wav\" }}\n"));
    }
    p.file(
        "album.mix",
        "album \"Held\" {\n    loudness = -14LUFS\n    true_peak = -1dBTP\n    song \"s1.mix\" { gap = 1s }\n    \
         song \"s2.mix\" { crossfade = 2s }\n    song \"s3.mix\"\n}\n\
         export \"whole.flac\" { rate = 44.1kHz, bits = 16 }\nexport \"songs/{n}.wav\" { bits = 24 }\n",
    );
    for (out, hold) in [("memory", None), ("disk", Some("1"))] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mixc"));
        cmd.args(["render", "album.mix", "--quiet", "-o", out]).current_dir(p.dir.path());
        match hold {
            Some(mib) => cmd.env("MIXC_HOLD_MIB", mib),
            None => cmd.env_remove("MIXC_HOLD_MIB"),
        };
        let done = cmd.output().expect("run mixc");
        assert!(done.status.success(), "{out}: {}", String::from_utf8_lossy(&done.stderr));
    }
    for file in ["whole.flac", "whole.cue", "songs/01.wav", "songs/02.wav", "songs/03.wav"] {
        let a = std::fs::read(p.path(&format!("memory/{file}"))).expect("memory output");
        let b = std::fs::read(p.path(&format!("disk/{file}"))).expect("disk output");
        assert!(a == b, "{file} differs between the two ways of holding the album");
    }
    for dir in ["disk", "disk/songs", "."] {
        assert!(temporary_files(&p.path(dir)).is_empty(), "left behind in {dir}: {:?}", temporary_files(&p.path(dir)));
    }
}
