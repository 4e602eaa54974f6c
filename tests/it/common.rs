//! Helpers for the integration tests: temporary projects, WAV files, running `mixc`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary folder holding a `.mix` file and its sources.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Self {
        Project { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a text file (e.g. the `.mix`).
    pub fn file(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    /// Writes an integer PCM WAV from planar f32 samples (values on the grid of `bits`).
    pub fn wav_int(&self, rel: &str, rate: u32, bits: u16, chans: &[Vec<f32>]) -> PathBuf {
        let p = self.path(rel);
        write_wav_int(&p, rate, bits, chans);
        p
    }

    /// Runs `mixc ARGS` in the project folder.
    pub fn mixc(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_mixc"))
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run mixc")
    }

    /// Runs `mixc render FILE ARGS...` and panics with stderr unless it succeeds.
    pub fn render_ok(&self, file: &str, extra: &[&str]) {
        let mut args = vec!["render", file, "--quiet"];
        args.extend_from_slice(extra);
        let out = self.mixc(&args);
        assert!(out.status.success(), "mixc failed: {}", String::from_utf8_lossy(&out.stderr));
    }
}

pub fn write_wav_int(path: &Path, rate: u32, bits: u16, chans: &[Vec<f32>]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    let spec = hound::WavSpec {
        channels: chans.len() as u16,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create wav");
    let scale = (1i64 << (bits - 1)) as f64;
    for i in 0..chans[0].len() {
        for c in chans {
            let v = (c[i] as f64 * scale).round().clamp(-scale, scale - 1.0) as i32;
            w.write_sample(v).expect("write sample");
        }
    }
    w.finalize().expect("finalize");
}

/// Reads a WAV as raw integers per channel (int formats) — for bit-exact checks.
pub fn read_wav_ints(path: &Path) -> (hound::WavSpec, Vec<Vec<i32>>) {
    let mut r = hound::WavReader::open(path).expect("open wav");
    let spec = r.spec();
    let n = spec.channels as usize;
    let mut chans = vec![Vec::new(); n];
    for (i, s) in r.samples::<i32>().enumerate() {
        chans[i % n].push(s.expect("sample"));
    }
    (spec, chans)
}

/// Reads a WAV as f32 per channel (any format), scaled to ±1.
pub fn read_wav_f32(path: &Path) -> (hound::WavSpec, Vec<Vec<f32>>) {
    let mut r = hound::WavReader::open(path).expect("open wav");
    let spec = r.spec();
    let n = spec.channels as usize;
    let mut chans = vec![Vec::new(); n];
    match spec.sample_format {
        hound::SampleFormat::Float => {
            for (i, s) in r.samples::<f32>().enumerate() {
                chans[i % n].push(s.expect("sample"));
            }
        }
        hound::SampleFormat::Int => {
            let scale = (1i64 << (spec.bits_per_sample - 1)) as f32;
            for (i, s) in r.samples::<i32>().enumerate() {
                chans[i % n].push(s.expect("sample") as f32 / scale);
            }
        }
    }
    (spec, chans)
}

/// Deterministic noise on the grid of `bits`, in ±amp.
pub fn noise(frames: usize, seed: u64, amp: f32, bits: u16) -> Vec<f32> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let scale = (1i64 << (bits - 1)) as f32;
    (0..frames)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u = (x >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
            ((u as f32 * amp) * scale).round() / scale
        })
        .collect()
}

/// A sine on the grid of `bits`.
pub fn sine(frames: usize, rate: u32, freq: f64, amp: f64, bits: u16) -> Vec<f32> {
    let scale = (1i64 << (bits - 1)) as f64;
    (0..frames)
        .map(|n| {
            ((amp * (2.0 * std::f64::consts::PI * freq * n as f64 / rate as f64).sin() * scale).round() / scale) as f32
        })
        .collect()
}

pub fn db(x: f64) -> f64 {
    20.0 * x.abs().log10()
}

/// RMS over a slice.
pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

/// A tag read back by symphonia: (standard key, key as stored, value).
pub type Tag = (Option<symphonia::core::meta::StandardTagKey>, String, String);

/// Opens a file with symphonia alone: the probed format reader and every tag
/// (container-level and stream-level).
pub fn probe_with_tags(path: &Path) -> (symphonia::core::probe::ProbeResult, Vec<Tag>) {
    use symphonia::core::io::MediaSourceStream;
    use symphonia::core::probe::Hint;
    let mss = MediaSourceStream::new(Box::new(std::fs::File::open(path).expect("open")), Default::default());
    let mut hint = Hint::new();
    hint.with_extension(&path.extension().expect("ext").to_string_lossy());
    let mut probed =
        symphonia::default::get_probe().format(&hint, mss, &Default::default(), &Default::default()).expect("probe");
    let mut tags = Vec::new();
    let mut collect = |rev: &symphonia::core::meta::MetadataRevision| {
        for t in rev.tags() {
            tags.push((t.std_key, t.key.clone(), t.value.to_string().trim_end_matches('\0').to_string()));
        }
    };
    if let Some(rev) = probed.metadata.get().as_ref().and_then(|m| m.current()) {
        collect(rev);
    }
    if let Some(rev) = probed.format.metadata().current() {
        collect(rev);
    }
    (probed, tags)
}

/// Every file under `dir`, recursively.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The `.NAME.mixc-tmp-PID` files in `dir` (none when it does not exist).
pub fn temporary_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.contains(".mixc-tmp-"))
                .collect()
        })
        .unwrap_or_default()
}

/// Frames and planar samples of any audio file mixc decodes.
pub fn decode(path: &Path) -> (u32, Vec<Vec<f32>>) {
    let mut d = mixc::io::decode::Decoder::open_any(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (channels, rate) = (d.info().channels, d.info().rate);
    let mut out = vec![Vec::new(); channels];
    d.read_to_end(&mut |block| out.iter_mut().zip(block).for_each(|(o, b)| o.extend_from_slice(b))).expect("decode");
    (rate, out)
}

/// A swelling six-note chord over a quiet noise wash (`shift` detunes it,
/// for a second channel): music-like, and loud once mastered, so codecs
/// raise its true peak.
pub fn chord(frames: usize, rate: u32, seed: u64, shift: f64) -> Vec<f32> {
    let wash = noise(frames, seed, 0.08, 24);
    (0..frames)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            let swell = 0.6 + 0.4 * (2.0 * std::f64::consts::PI * 0.5 * t).sin();
            let tones: f64 = [110.0, 164.8, 220.0, 277.2, 329.6, 2637.0]
                .iter()
                .map(|f| (2.0 * std::f64::consts::PI * (f * shift) * t).sin())
                .sum();
            (swell * 0.12 * tones) as f32 + wash[i]
        })
        .collect()
}

/// Integrated loudness of planar audio, by the ebur128 crate (an
/// implementation independent of mixc's meter).
pub fn lufs(rate: u32, audio: &[Vec<f32>]) -> f64 {
    let mut m = ebur128::EbuR128::new(audio.len() as u32, rate, ebur128::Mode::I).expect("meter");
    let planar: Vec<&[f32]> = audio.iter().map(|c| c.as_slice()).collect();
    m.add_frames_planar_f32(&planar).expect("add");
    m.loudness_global().expect("I")
}

/// The highest true peak over all channels, dBTP, by the ebur128 crate.
pub fn true_peak_dbtp(rate: u32, audio: &[Vec<f32>]) -> f64 {
    let mut m = ebur128::EbuR128::new(audio.len() as u32, rate, ebur128::Mode::TRUE_PEAK).expect("meter");
    let planar: Vec<&[f32]> = audio.iter().map(|c| c.as_slice()).collect();
    m.add_frames_planar_f32(&planar).expect("add");
    20.0 * (0..audio.len() as u32).map(|c| m.true_peak(c).expect("tp")).fold(0f64, f64::max).log10()
}

/// Stereo noise under two tones (220 and 330 Hz), for the codec tests.
pub fn tones_in_noise(frames: usize, rate: u32, seed: u64) -> Vec<Vec<f32>> {
    [(seed, 220.0), (seed + 1, 330.0)]
        .iter()
        .map(|&(s, f)| {
            noise(frames, s, 0.2, 24).iter().zip(sine(frames, rate, f, 0.3, 24)).map(|(a, b)| a + b).collect()
        })
        .collect()
}

/// Whether `tool` (ffmpeg, ffprobe) runs here; when not, says the test skips.
pub fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("-version").output().is_ok_and(|o| o.status.success());
    if !ok {
        println!("skipped: {tool} is not installed (apt-get install -y ffmpeg)");
    }
    ok
}

/// `ffprobe -show_entries ENTRIES` of `path`, one `key=value` a line; `None`
/// (with the reason printed) when ffprobe is not installed.
pub fn ffprobe(path: &Path, entries: &str) -> Option<String> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", entries, "-of", "default=nw=1"])
        .arg(path)
        .output();
    match out {
        Ok(o) => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Err(_) => {
            println!("skipped: ffprobe is not installed (apt-get install -y ffmpeg)");
            None
        }
    }
}

/// Each `(export line, text at the caret, words of the message)`: `mixc
/// check` of a song (a mono source at `rate`) with that export exits 1 with
/// a spanned error saying so.
pub fn assert_refused(rate: u32, cases: &[(&str, &str, &str)]) {
    let p = Project::new();
    p.wav_int("x.wav", rate, 24, &[noise(9_600, 1, 0.2, 24)]);
    for (export, at, says) in cases {
        p.file("song.mix", &format!("track a {{ source = \"x.wav\" }}\n{export}\n"));
        let out = p.mixc(&["check", "song.mix"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{export}: {err}");
        assert!(err.contains(says) && err.contains("song.mix:") && err.contains(at), "{export}: {err}");
    }
}
