//! `mixc watch` through a long editing session: 1,000 saves in a row
//! (`MIXC_SOAK_SAVES` for more), good and broken, written in place, saved by
//! rename, the file deleted and written anew, and an editor's backup dance,
//! with no pause for the renders. The watcher must stay up, keep rendering
//! what was saved last, and not grow.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::*;
use crate::running::{save_by_rename, Running};

fn saves() -> usize {
    std::env::var("MIXC_SOAK_SAVES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000)
}

fn song(gain: i32) -> String {
    format!("track a {{ source = \"a.wav\", gain = {gain}dB }}\nexport \"out.wav\" {{ bits = 24 }}\n")
}

/// Resident memory of `pid`, KiB (Linux).
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// One save of kind `i % 5`; the song's fader is `gain` when the save is good.
fn save(path: &Path, i: usize, gain: i32) {
    match i % 5 {
        0 => save_by_rename(path, &song(gain)),
        1 => std::fs::write(path, song(gain).replace(" }\nexport", "\nexport")).expect("write"), // broken
        2 => std::fs::write(path, song(gain)).expect("write"),
        3 => {
            // Gone for a moment, then written anew.
            let _ = std::fs::remove_file(path);
            std::thread::sleep(Duration::from_millis(2));
            std::fs::write(path, song(gain)).expect("write");
        }
        _ => {
            // vim's dance: the original renamed to a backup, a new file written, the backup removed.
            let backup = path.with_extension("mix~");
            std::fs::rename(path, &backup).expect("backup");
            std::fs::write(path, song(gain)).expect("write");
            let _ = std::fs::remove_file(&backup);
        }
    }
}

/// Waits until the watcher has been quiet for `quiet`; returns what it printed.
fn settle(w: &mut Running, quiet: Duration) -> Vec<String> {
    let mut lines = Vec::new();
    let mut last = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(60);
    while last.elapsed() < quiet && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        let fresh = w.drain();
        if !fresh.is_empty() {
            last = Instant::now();
            lines.extend(fresh);
        }
    }
    lines
}

#[cfg(target_os = "linux")]
#[test]
fn watch_survives_a_thousand_saves_without_growing() {
    let p = Project::new();
    let x = noise(12_000, 5, 0.25, 24);
    p.wav_int("a.wav", 48_000, 24, &[x.clone(), x]);
    let path = p.file("song.mix", &song(0));
    let mut w = Running::start(p.dir.path(), &["watch", "song.mix"], &[]);
    w.expect(&["re-rendered"]);
    let total = saves();
    let checkpoints = 10;
    let mut rss = Vec::new();
    for round in 0..checkpoints {
        for k in 0..total / checkpoints {
            let i = round * (total / checkpoints) + k;
            save(&path, i, -((i % 20) as i32));
            std::thread::sleep(Duration::from_millis(3));
        }
        // The last save of the round is a good one, with a fader of its own.
        let gain = -(30 + round as i32);
        save_by_rename(&path, &song(gain));
        settle(&mut w, Duration::from_millis(1500));
        assert!(w.alive(), "watch died after {} saves; log:\n{}", (round + 1) * total / checkpoints, w.log.join("\n"));
        // The output is the last save's: its level is the fader's.
        let (_, out) = read_wav_f32(&p.path("out.wav"));
        let expected = rms(&noise(12_000, 5, 0.25, 24)) * db_to_gain(gain);
        let got = rms(&out[0]);
        assert!((got / expected - 1.0).abs() < 1e-3, "round {round}: rms {got}, expected {expected}");
        rss.push(rss_kib(w.pid()));
    }
    println!("watch soak: {total} saves, RSS per {} saves (KiB): {rss:?}", total / checkpoints);
    // Allocators settle in the first rounds; after that, nothing may pile up.
    let (early, late) = (rss[1], rss[checkpoints - 1]);
    assert!(late <= early + 8 * 1024, "watch grew from {early} KiB to {late} KiB over {total} saves");
    let status = w.interrupt();
    assert!(status.success(), "watch did not exit cleanly: {status}");
    assert!(temporary_files(p.dir.path()).is_empty(), "temporary files left: {:?}", temporary_files(p.dir.path()));
}

fn db_to_gain(db: i32) -> f64 {
    10f64.powf(f64::from(db) / 20.0)
}
