//! Trust under bad input and interruption: exit codes for every command, no
//! output over an input, and signals that leave nothing behind.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{noise, temporary_files, Project};

const RATE: u32 = 48_000;

fn code(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A project with a good song, a song with a `.mix` error and a song whose
/// source is missing.
fn table_project() -> Project {
    let p = Project::new();
    let x = noise(4_800, 3, 0.3, 24);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x]);
    p.file("good.mix", "track a { source = \"x.wav\" }\nexport \"out/good.wav\"\n");
    p.file("typo.mix", "track a { source = \"x.wav\", chain = lowpas(5kHz) }\nexport \"out/typo.wav\"\n");
    p.file("nosource.mix", "track a { source = \"gone.wav\" }\nexport \"out/nosource.wav\"\n");
    p.file("noise.wav", "RIFF but not really a WAV file at all");
    p.file("album.mix", "album \"A\" {\n    song \"good.mix\"\n}\nexport \"out/album.wav\"\n");
    p.file("lost.mix", "album \"A\" {\n    song \"good.mix\"\n    song \"gone.mix\"\n}\nexport \"out/album.wav\"\n");
    p
}

/// README: 0 success, 1 the `.mix` file has errors, 2 mixc could not run.
#[test]
fn exit_codes_follow_the_readme_for_every_command() {
    let p = table_project();
    let table: &[(&[&str], i32)] = &[
        (&["render", "good.mix", "--quiet"], 0),
        (&["render", "typo.mix"], 1),
        (&["render", "nosource.mix"], 2),
        (&["render", "absent.mix"], 2),
        (&["render", "album.mix", "--quiet"], 0),
        (&["render", "lost.mix"], 2),
        (&["check", "lost.mix"], 2),
        (&["check", "good.mix"], 0),
        (&["check", "typo.mix"], 1),
        (&["check", "nosource.mix"], 2),
        (&["check", "absent.mix"], 2),
        (&["graph", "good.mix"], 0),
        (&["graph", "typo.mix"], 1),
        (&["graph", "nosource.mix"], 2),
        (&["graph", "absent.mix"], 2),
        (&["graph", "good.mix", "-o", "x.wav/graph.dot"], 2),
        (&["fmt", "--check", "good.mix"], 0),
        (&["fmt", "absent.mix"], 2),
        (&["meter", "x.wav"], 0),
        (&["meter", "noise.wav"], 2),
        (&["meter", "absent.wav"], 2),
        (&["watch", "absent.mix"], 2),
        (&["play", "absent.mix", "--device", "clock"], 2),
        (&["play", "typo.mix", "--device", "clock"], 1),
        (&["help", "compressor"], 0),
        (&["help", "no-such-processor"], 2),
    ];
    let mut wrong = Vec::new();
    for (args, expected) in table {
        let out = p.mixc(args);
        if code(&out) != Some(*expected) {
            wrong.push(format!("mixc {}: expected {expected}, got {:?}\n{}", args.join(" "), code(&out), stderr(&out)));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn sha(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read input")
}

/// An export that names one of the song's inputs — a source, through `..`
/// or a symbolic link, or the `.mix` itself — is a spanned error, and the
/// input keeps its bytes.
#[test]
fn an_export_never_overwrites_an_input() {
    let p = Project::new();
    let x = noise(4_800, 5, 0.3, 24);
    p.wav_int("stems/x.wav", RATE, 24, &[x]);
    std::fs::create_dir_all(p.path("elsewhere")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(p.path("stems/x.wav"), p.path("elsewhere/link.wav")).unwrap();
    let stem = sha(&p.path("stems/x.wav"));
    let mut cases = vec!["stems/x.wav", "./stems/../stems/x.wav", "song.mix"];
    if cfg!(unix) {
        cases.push("elsewhere/link.wav");
    }
    for target in cases {
        let mix = format!("track a {{ source = \"stems/x.wav\" }}\nexport \"{target}\" {{ format = wav }}\n");
        p.file("song.mix", &mix);
        let out = p.mixc(&["render", "song.mix"]);
        let err = stderr(&out);
        assert_eq!(code(&out), Some(1), "{target}: {err}");
        assert!(err.contains("would overwrite"), "{target}: {err}");
        assert!(err.contains("song.mix:2:"), "{target}: the error points at the export: {err}");
        assert_eq!(sha(&p.path("stems/x.wav")), stem, "{target}: the stem changed");
        assert_eq!(std::fs::read_to_string(p.path("song.mix")).unwrap(), mix, "{target}: the .mix changed");
    }
}

/// An album's deliverables are held to the same rule: not over the album
/// file, a song's `.mix` or a source, whichever song reads it.
#[test]
fn an_album_export_never_overwrites_an_input() {
    let p = table_project();
    let before = sha(&p.path("x.wav"));
    for export in
        ["\"x.wav\"", "\"./out/../x.wav\"", "\"good.mix\" { format = wav }", "\"album2.mix\" { format = wav }"]
    {
        p.file("album2.mix", &format!("album \"A\" {{\n    song \"good.mix\"\n}}\nexport {export}\n"));
        let out = p.mixc(&["render", "album2.mix"]);
        let err = stderr(&out);
        assert_eq!(code(&out), Some(1), "{export}: {err}");
        assert!(err.contains("which this album reads") && err.contains("album2.mix:"), "{export}: {err}");
    }
    assert_eq!(sha(&p.path("x.wav")), before, "the source was touched");
}

/// `-o DIR` moves every export; landing one on a source is refused before
/// anything is written.
#[test]
fn an_output_folder_never_puts_an_export_over_an_input() {
    let p = Project::new();
    let x = noise(4_800, 6, 0.3, 24);
    p.wav_int("stems/x.wav", RATE, 24, &[x]);
    let stem = sha(&p.path("stems/x.wav"));
    p.file("song.mix", "track a { source = \"stems/x.wav\" }\nexport \"x.wav\"\n");
    let out = p.mixc(&["render", "song.mix", "-o", "stems"]);
    assert_eq!(code(&out), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("would overwrite"), "{}", stderr(&out));
    assert_eq!(sha(&p.path("stems/x.wav")), stem);
}

/// A render that lasts a few seconds: a one-second source held for four
/// hours at 8 kHz into FLAC (silence compresses to almost nothing).
fn long_render_project() -> Project {
    let p = Project::new();
    let x = noise(8_000, 7, 0.3, 16);
    p.wav_int("x.wav", 8_000, 16, &[x]);
    p.file("long.mix", "rate = 8kHz\nlength = 240m\ntrack a { source = \"x.wav\" }\nexport \"out/long.flac\"\n");
    p.file("out/long.flac", "the previous master");
    p
}

/// Starts `mixc render long.mix` and waits until its temporary output exists.
fn render_until_writing(p: &Project) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mixc"))
        .args(["render", "long.mix", "--quiet"])
        .current_dir(p.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mixc");
    let deadline = Instant::now() + Duration::from_secs(60);
    while temporary_files(&p.path("out")).is_empty() {
        assert!(Instant::now() < deadline, "no temporary file appeared");
        assert!(child.try_wait().expect("poll").is_none(), "the render ended before it was interrupted");
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

/// SIGINT, SIGTERM and SIGHUP remove the temporary files and exit
/// 128 + the signal; the previous output keeps its bytes.
#[cfg(unix)]
#[test]
fn terminating_signals_remove_temporary_files() {
    let p = long_render_project();
    for (signal, expected) in [(libc::SIGINT, 130), (libc::SIGTERM, 143), (libc::SIGHUP, 129)] {
        let mut child = render_until_writing(&p);
        std::thread::sleep(Duration::from_millis(100));
        // SAFETY: sends a signal to the child this test started and still owns.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(expected), "signal {signal}");
        assert_eq!(temporary_files(&p.path("out")), Vec::<String>::new(), "signal {signal}");
        assert_eq!(std::fs::read_to_string(p.path("out/long.flac")).unwrap(), "the previous master");
    }
}

/// SIGKILL cannot be caught: the old output stays whole, nothing under the
/// output's name is half-written, and the next run removes what was left.
#[cfg(unix)]
#[test]
fn a_killed_render_keeps_the_old_output_and_the_next_run_cleans_up() {
    let p = long_render_project();
    for wait_ms in [0, 300, 1_000] {
        let mut child = render_until_writing(&p);
        std::thread::sleep(Duration::from_millis(wait_ms));
        child.kill().expect("SIGKILL");
        child.wait().expect("wait");
        assert_eq!(std::fs::read_to_string(p.path("out/long.flac")).unwrap(), "the previous master", "{wait_ms} ms");
        assert_eq!(temporary_files(&p.path("out")).len(), 1, "the killed run's file is there to clean");
    }
    // The next run writing into the same folder removes the dead runs' files.
    p.file("short.mix", "rate = 8kHz\ntrack a { source = \"x.wav\" }\nexport \"out/short.flac\"\n");
    p.render_ok("short.mix", &[]);
    assert_eq!(temporary_files(&p.path("out")), Vec::<String>::new());
    assert_eq!(std::fs::read_to_string(p.path("out/long.flac")).unwrap(), "the previous master");
}

/// Absurd values get a spanned diagnostic (exit 1) at `check`, before any
/// allocation or disk write: each is a typo a new user makes.
#[test]
fn absurd_values_are_refused_with_a_span() {
    let p = Project::new();
    let x = noise(4_800, 8, 0.3, 24);
    p.wav_int("x.wav", RATE, 24, &[x]);
    let track =
        |settings: &str| format!("rate = 48kHz\ntempo = 120bpm\ntrack a {{ source = \"x.wav\", {settings} }}\n");
    let cases: Vec<(String, &str, &str)> = vec![
        (track("start = 99999999999:1"), "99999999999:1", "at most 24 hours"),
        (format!("length = -1s\n{}", track("gain = 0dB")), "-1s", "longer than 0s"),
        (format!("length = 1000h\n{}", track("gain = 0dB")), "1000h", "at most 24 hours"),
        (track("chain = highpass(30kHz)"), "30kHz", "Nyquist"),
        (track("chain = lowpass(24kHz)"), "24kHz", "Nyquist"),
        (track("gain = 1000000000dB"), "1000000000dB", "from -inf dB to +48dB"),
        (track("gain = 1e9dB"), "1e9dB", "no exponents"),
        (format!("{}bus v {{ gain = 0dB }}\n", track("send v = 100dB")), "100dB", "from -inf dB to +48dB"),
        (track("chain = delay(time: 10h)"), "10h", "from 0ms to 10s"),
        (format!("{}automate a.gain {{\n    0s 0dB\n    1s 200dB\n}}\n", track("gain = 0dB")), "200dB", "+48dB"),
        (format!("{}automate a.gain {{\n    0s 0dB\n    30h 0dB\n}}\n", track("gain = 0dB")), "30h", "24 hours"),
        (format!("let g = {}0dB{}\n{}", "(".repeat(10_000), ")".repeat(10_000), track("gain = g")), "(", "nested"),
    ];
    for (mix, written, says) in cases {
        p.file("song.mix", &mix);
        let out = p.mixc(&["check", "song.mix"]);
        let err = stderr(&out);
        let head: String = err.chars().take(600).collect();
        assert_eq!(code(&out), Some(1), "{written}: {head}");
        assert!(err.contains(says), "{written}: expected `{says}` in {head}");
        assert!(err.contains("song.mix:"), "{written}: no span in {head}");
        assert!(!err.contains("panicked"), "{head}");
    }
    // Hours are a unit: `1h20m` is how a long programme is written.
    p.file("song.mix", &format!("length = 1h20m\n{}", track("gain = 0dB")));
    let out = p.mixc(&["check", "song.mix"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
}

/// A chain of imports 100 files deep (no cycle) is refused where it passes 64
/// files (the song and 63 imports), with a span, not followed until the stack runs out.
#[test]
fn imports_nested_too_deep_are_refused() {
    let p = Project::new();
    p.wav_int("x.wav", RATE, 24, &[noise(4_800, 8, 0.3, 24)]);
    for i in 0..100 {
        p.file(&format!("lib{i}.mix"), &format!("import \"lib{}.mix\"\nlet g{i} = 0dB\n", i + 1));
    }
    p.file("lib100.mix", "let g100 = 0dB\n");
    p.file("song.mix", "import \"lib0.mix\"\ntrack a { source = \"x.wav\", gain = g0 }\n");
    let out = p.mixc(&["check", "song.mix"]);
    let err = stderr(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(err.contains("nested more than 64 files deep") && err.contains("lib62.mix:"), "{err}");
}

/// Gains that stay in range one by one can still add up past what a file
/// holds: the writer refuses the first sample past +60 dBFS, names where it
/// is, and leaves nothing behind.
#[test]
fn a_mix_that_blows_up_is_never_written() {
    let p = Project::new();
    let x = noise(4_800, 9, 0.3, 24);
    p.wav_int("x.wav", RATE, 24, &[x]);
    let gains = ["gain(48dB)"; 3].join(" -> ");
    p.file(
        "song.mix",
        &format!("track a {{ source = \"x.wav\", chain = {gains} }}\nexport \"out.wav\" {{ bits = 32f }}\n"),
    );
    let out = p.mixc(&["render", "song.mix"]);
    let err = stderr(&out);
    assert_eq!(code(&out), Some(2), "{err}");
    assert!(err.contains("out.wav") && err.contains("dBFS at 0:00.000 (frame "), "{err}");
    assert!(!p.path("out.wav").exists());
    assert_eq!(temporary_files(p.dir.path()), Vec::<String>::new());
}

/// One byte that is not UTF-8 is pointed at, with how to fix it; an audio
/// file given as the `.mix` is told to `mixc meter`.
#[test]
fn a_mix_file_that_is_not_utf8_is_pointed_at() {
    let p = Project::new();
    std::fs::write(p.path("song.mix"), b"rate = 48kHz\ntrack a { source = \"a\xff.wav\" }\n").unwrap();
    let out = p.mixc(&["check", "song.mix"]);
    let err = stderr(&out);
    assert_eq!(code(&out), Some(2), "{err}");
    assert!(err.contains("not UTF-8") && err.contains("0xFF") && err.contains("song.mix:2:22"), "{err}");
    assert!(err.contains("Save with Encoding"), "{err}");
}
