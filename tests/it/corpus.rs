//! A corpus of broken and odd audio, generated here, and what mixc says of
//! each: a clear error naming the file and the reason, or a documented
//! result. Nothing damaged may pass silently.
//!
//! The generator is [`corpus`]; `MIXC_CORPUS_DIR=DIR cargo test corpus`
//! also writes the files to DIR, to try them with other tools.

use std::path::Path;

use crate::common::{noise, read_wav_f32, Project};

/// What `mixc meter FILE` must do with a case.
enum Expect {
    /// Exit 2; stderr names the file and holds each of these.
    Error(&'static [&'static str]),
    /// Exit 0, and the table shows this duration.
    Measures(&'static str),
}

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    expect: Expect,
}

/// `fmt ` + `data` chunks; `riff`/`data_size` override the sizes written.
fn wav(tag: u16, channels: u16, rate: u32, bits: u16, data: &[u8], data_size: Option<u32>) -> Vec<u8> {
    let block = channels * bits / 8;
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&tag.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    b.extend_from_slice(&block.to_le_bytes());
    b.extend_from_slice(&bits.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_size.unwrap_or(data.len() as u32).to_le_bytes());
    b.extend_from_slice(data);
    b
}

fn pcm16(frames: usize, channels: usize) -> Vec<u8> {
    let x = noise(frames * channels, 11, 0.25, 16);
    x.iter().flat_map(|s| ((s * 32_768.0) as i16).to_le_bytes()).collect()
}

fn float32(samples: &[f32]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

/// A float WAV at 48 kHz, mono, with `bad` at frame 1000.
fn float_with(bad: f32) -> Vec<u8> {
    let mut x = noise(4_800, 12, 0.25, 24);
    x[1_000] = bad;
    wav(3, 1, 48_000, 32, &float32(&x), None)
}

/// 80-bit IEEE extended, as AIFF stores its sample rate.
fn extended(rate: u32) -> [u8; 10] {
    let exp = 31 - rate.leading_zeros();
    let mantissa = u64::from(rate) << (63 - exp);
    let mut b = [0u8; 10];
    b[..2].copy_from_slice(&(16_383 + exp as u16).to_be_bytes());
    b[2..].copy_from_slice(&mantissa.to_be_bytes());
    b
}

/// 16-bit stereo AIFF at 44.1 kHz whose `COMM` promises `frames`, holding `present` of them.
fn aiff(frames: u32, present: usize) -> Vec<u8> {
    let data: Vec<u8> =
        noise(present * 2, 13, 0.25, 16).iter().flat_map(|s| ((s * 32_768.0) as i16).to_be_bytes()).collect();
    let ssnd_len = 8 + frames * 4;
    let mut b = Vec::new();
    b.extend_from_slice(b"FORM");
    b.extend_from_slice(&(4 + 26 + 8 + ssnd_len).to_be_bytes());
    b.extend_from_slice(b"AIFFCOMM");
    b.extend_from_slice(&18u32.to_be_bytes());
    b.extend_from_slice(&2u16.to_be_bytes());
    b.extend_from_slice(&frames.to_be_bytes());
    b.extend_from_slice(&16u16.to_be_bytes());
    b.extend_from_slice(&extended(44_100));
    b.extend_from_slice(b"SSND");
    b.extend_from_slice(&ssnd_len.to_be_bytes());
    b.extend_from_slice(&[0u8; 8]);
    b.extend_from_slice(&data);
    b
}

/// RF64 whose `ds64` promises 5 GB of audio; 4000 bytes are present.
fn rf64_header_past_4_gib() -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"RF64");
    b.extend_from_slice(&u32::MAX.to_le_bytes());
    b.extend_from_slice(b"WAVEds64");
    b.extend_from_slice(&28u32.to_le_bytes());
    for size in [5_000_000_036u64, 5_000_000_000, 1_250_000_000] {
        b.extend_from_slice(&size.to_le_bytes());
    }
    b.extend_from_slice(&0u32.to_le_bytes());
    let fmt = wav(1, 2, 48_000, 16, &[], None);
    b.extend_from_slice(&fmt[12..36]);
    b.extend_from_slice(b"data");
    b.extend_from_slice(&u32::MAX.to_le_bytes());
    b.extend_from_slice(&[0u8; 4000]);
    b
}

/// WAVE_FORMAT_EXTENSIBLE, A-law, two channels, with a channel mask of one
/// bit in the highest place: symphonia 0.5's RIFF reader overflows a shift
/// fixing the mask (found by the decoder fuzz target).
fn extensible_mask_overflow() -> Vec<u8> {
    let data = random_bytes(9_600, 5);
    let mut fmt = Vec::new();
    fmt.extend_from_slice(&0xFFFEu16.to_le_bytes());
    fmt.extend_from_slice(&2u16.to_le_bytes());
    fmt.extend_from_slice(&48_000u32.to_le_bytes());
    fmt.extend_from_slice(&96_000u32.to_le_bytes());
    fmt.extend_from_slice(&2u16.to_le_bytes());
    fmt.extend_from_slice(&8u16.to_le_bytes());
    fmt.extend_from_slice(&22u16.to_le_bytes());
    fmt.extend_from_slice(&8u16.to_le_bytes());
    fmt.extend_from_slice(&0x8000_0000u32.to_le_bytes());
    fmt.extend_from_slice(&[6, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]);
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(4 + 8 + fmt.len() as u32 + 8 + data.len() as u32).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&(fmt.len() as u32).to_le_bytes());
    b.extend_from_slice(&fmt);
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(&data);
    b
}

fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    noise(n, seed, 1.0, 24).iter().map(|x| (x * 127.0 + 128.0) as u8).collect()
}

/// Every case but those made from a real FLAC file (see [`flac_cases`]).
fn corpus() -> Vec<Case> {
    use Expect::{Error, Measures};
    let good = wav(1, 2, 48_000, 16, &pcm16(48_000, 2), None);
    let mut cases = vec![
        Case { name: "empty.wav", bytes: Vec::new(), expect: Error(&["the file is empty"]) },
        Case { name: "header_only.wav", bytes: good[..44].to_vec(), expect: Error(&["truncated", "byte 44"]) },
        Case { name: "truncated_mid_frame.wav", bytes: good[..44 + 1001].to_vec(), expect: Error(&["truncated"]) },
        Case {
            name: "data_size_past_the_end.wav",
            bytes: wav(1, 2, 48_000, 16, &pcm16(100, 2), Some(1 << 30)),
            expect: Error(&["truncated", "1073741824 bytes"]),
        },
        Case {
            name: "rf64_past_4_gib.wav",
            bytes: rf64_header_past_4_gib(),
            expect: Error(&["truncated", "5000000000"]),
        },
        Case { name: "nan.wav", bytes: float_with(f32::NAN), expect: Error(&["frame 1000", "NaN"]) },
        Case { name: "infinity.wav", bytes: float_with(f32::NEG_INFINITY), expect: Error(&["frame 1000", "infinite"]) },
        Case { name: "1e30.wav", bytes: float_with(1e30), expect: Error(&["frame 1000", "past +60 dBFS"]) },
        Case { name: "zero_samples.wav", bytes: wav(1, 2, 48_000, 16, &[], None), expect: Measures("0:00.0") },
        Case {
            name: "8_bit.wav",
            bytes: wav(1, 1, 8_000, 8, &random_bytes(8_000, 3), None),
            expect: Measures("0:01.0"),
        },
        Case {
            name: "6_channels.wav",
            bytes: wav(1, 6, 48_000, 16, &pcm16(48_000, 6), None),
            expect: Measures("0:01.0"),
        },
        Case {
            name: "8_channels.wav",
            bytes: wav(1, 8, 48_000, 16, &pcm16(48_000, 8), None),
            expect: Measures("0:01.0"),
        },
        Case { name: "8_khz.wav", bytes: wav(1, 1, 8_000, 16, &pcm16(16_000, 1), None), expect: Measures("0:02.0") },
        Case {
            name: "192_khz.wav",
            bytes: wav(1, 2, 192_000, 16, &pcm16(192_000, 2), None),
            expect: Measures("0:01.0"),
        },
        Case { name: "good.aiff", bytes: aiff(44_100, 44_100), expect: Measures("0:01.0") },
        Case { name: "truncated.aiff", bytes: aiff(44_100, 20_000), expect: Error(&["truncated", "44100 frames"]) },
        Case { name: "extensible_mask_overflow.wav", bytes: extensible_mask_overflow(), expect: Error(&["cannot"]) },
        Case { name: "not_really.aiff", bytes: random_bytes(3000, 8), expect: Error(&["not an AIFF file"]) },
    ];
    for (ext, says) in
        [("wav", "not a WAV file"), ("flac", "not a FLAC file"), ("mp3", "not an MP3 file"), ("ogg", "not an Ogg file")]
    {
        let name: &'static str = Box::leak(format!("random_bytes.{ext}").into_boxed_str());
        let says: &'static [&'static str] = Box::leak(vec![says].into_boxed_slice());
        cases.push(Case { name, bytes: random_bytes(5_000, 21), expect: Error(says) });
    }
    cases
}

/// Truncated and corrupt FLAC, cut from a FLAC file mixc writes.
fn flac_cases(p: &Project) -> Vec<Case> {
    let x = noise(4 * 44_100, 17, 0.25, 16);
    p.wav_int("flac_source.wav", 44_100, 16, &[x.clone(), x]);
    p.file(
        "to_flac.mix",
        "rate = 44.1kHz\ntrack a { source = \"flac_source.wav\" }\nexport \"good.flac\" { bits = 16 }\n",
    );
    p.render_ok("to_flac.mix", &[]);
    let good = std::fs::read(p.path("good.flac")).expect("read the FLAC");
    let mut corrupt = good.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle..middle + 64].iter_mut().for_each(|b| *b ^= 0x5A);
    vec![
        Case { name: "good.flac", bytes: good.clone(), expect: Expect::Measures("0:04.0") },
        Case { name: "truncated.flac", bytes: good[..good.len() / 2].to_vec(), expect: Expect::Error(&["truncated"]) },
        Case { name: "corrupt_frame.flac", bytes: corrupt, expect: Expect::Error(&["damaged audio at"]) },
        Case { name: "header_only.flac", bytes: good[..42].to_vec(), expect: Expect::Error(&["truncated"]) },
    ]
}

#[test]
fn every_broken_file_gets_a_named_error_or_a_documented_result() {
    let p = Project::new();
    let mut cases = corpus();
    cases.extend(flac_cases(&p));
    let keep = std::env::var_os("MIXC_CORPUS_DIR");
    let mut wrong = Vec::new();
    for case in &cases {
        let path = p.path(&format!("corpus/{}", case.name));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &case.bytes).unwrap();
        if let Some(dir) = &keep {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(Path::new(dir).join(case.name), &case.bytes).unwrap();
        }
        let out = p.mixc(&["meter", &format!("corpus/{}", case.name)]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let ok = match &case.expect {
            Expect::Error(says) => {
                out.status.code() == Some(2)
                    && stderr.contains(case.name)
                    && says.iter().all(|s| stderr.contains(s))
                    && !stderr.contains("panicked")
            }
            Expect::Measures(duration) => out.status.success() && stdout.contains(duration),
        };
        if !ok {
            wrong.push(format!("{}: exit {:?}\nstdout: {stdout}\nstderr: {stderr}", case.name, out.status.code()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A damaged source stops the render before anything is written: the
/// truncated FLAC that used to render its missing half as silence.
#[test]
fn a_damaged_source_stops_the_render_and_writes_nothing() {
    let p = Project::new();
    for case in flac_cases(&p).into_iter().chain(corpus()).filter(|c| matches!(c.expect, Expect::Error(_))) {
        if case.name.starts_with("empty") || case.name.starts_with("random") || case.name.contains("not_really") {
            continue; // refused when the song is checked: see the table above
        }
        std::fs::write(p.path(case.name), &case.bytes).unwrap();
        p.file("song.mix", &format!("track a {{ source = \"{}\" }}\nexport \"out.wav\"\n", case.name));
        let out = p.mixc(&["render", "song.mix"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", case.name);
        assert!(stderr.contains(case.name), "{}: {stderr}", case.name);
        assert!(!p.path("out.wav").exists(), "{}: an output was written", case.name);
    }
}

/// libFLAC's own test (`flac -t`) is the reference: it agrees with mixc on
/// every FLAC case, good and damaged.
#[test]
fn libflac_agrees_on_every_flac_case() {
    if std::process::Command::new("flac").arg("--version").output().is_err() {
        println!("skipped: `flac` is not installed (.ci/run installs Debian's flac)");
        return;
    }
    let p = Project::new();
    for case in flac_cases(&p) {
        let path = p.path(case.name);
        std::fs::write(&path, &case.bytes).unwrap();
        let libflac_ok =
            std::process::Command::new("flac").args(["-t", "-s"]).arg(&path).output().unwrap().status.success();
        assert_eq!(
            libflac_ok,
            matches!(case.expect, Expect::Measures(_)),
            "{}: flac -t says ok = {libflac_ok}",
            case.name
        );
    }
}

/// Renders `source` with `on_error = conceal` (or strictly) to 32-bit float.
fn render_source(p: &Project, source: &str, conceal: bool, rate: &str) -> (std::process::Output, Vec<Vec<f32>>) {
    let on_error = if conceal { ", on_error = conceal" } else { "" };
    p.file(
        "song.mix",
        &format!("rate = {rate}\ntrack a {{ source = \"{source}\"{on_error} }}\nexport \"out.wav\" {{ bits = 32f }}\n"),
    );
    let _ = std::fs::remove_file(p.path("out.wav"));
    let out = p.mixc(&["render", "song.mix", "--quiet"]);
    let audio = if out.status.success() { read_wav_f32(&p.path("out.wav")).1 } else { Vec::new() };
    (out, audio)
}

/// `on_error = conceal` is the opt-in for damaged archives: the render goes
/// on with silence in place of what cannot be read, at the length the header
/// promises, the readable audio untouched, and a warning names the file and
/// how much was replaced, even with `--quiet`.
#[test]
fn on_error_conceal_renders_damage_as_silence_and_says_so() {
    let p = Project::new();
    let flac = flac_cases(&p);
    let bytes = |name: &str| flac.iter().find(|c| c.name == name).map(|c| c.bytes.clone()).unwrap();
    std::fs::write(p.path("good.flac"), bytes("good.flac")).unwrap();
    let (out, good) = render_source(&p, "good.flac", false, "44.1kHz");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let good_wav = wav(1, 2, 48_000, 16, &pcm16(48_000, 2), None);
    std::fs::write(p.path("good.wav"), &good_wav).unwrap();
    let (_, good_48k) = render_source(&p, "good.wav", false, "48kHz");
    let mut truncated_wav = good_wav[..44 + 80_000].to_vec();
    truncated_wav[40..44].copy_from_slice(&192_000u32.to_le_bytes());
    let cases = [
        ("truncated.flac", bytes("truncated.flac"), "44.1kHz", &good, "s with silence in 1 place"),
        ("corrupt_frame.flac", bytes("corrupt_frame.flac"), "44.1kHz", &good, "s with silence"),
        ("truncated.wav", truncated_wav, "48kHz", &good_48k, "0.583 s with silence in 1 place"),
    ];
    for (name, damaged, rate, reference, says) in cases {
        std::fs::write(p.path(name), &damaged).unwrap();
        let (strict, _) = render_source(&p, name, false, rate);
        assert_eq!(strict.status.code(), Some(2), "{name}: strict decoding must stop");
        let (out, y) = render_source(&p, name, true, rate);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
        assert!(stderr.contains("warning:") && stderr.contains(name) && stderr.contains(says), "{name}: {stderr}");
        assert_eq!(y[0].len(), reference[0].len(), "{name}: the length the header promises");
        let mut silenced = 0;
        for (a, b) in y.iter().flatten().zip(reference.iter().flatten()) {
            assert!(a == b || *a == 0.0, "{name}: a sample is neither the source's nor silence");
            silenced += usize::from(a != b);
        }
        assert!(silenced > 0, "{name}: nothing was concealed");
    }
    // Unplayable samples become zeros, counted.
    std::fs::write(p.path("nan.wav"), float_with(f32::NAN)).unwrap();
    let (out, y) = render_source(&p, "nan.wav", true, "48kHz");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 unplayable sample with zero") && stderr.contains("frame 1000"), "{stderr}");
    assert!(y.iter().flatten().all(|x| x.is_finite()) && y[0][1_000] == 0.0);
    // A typo names the two choices.
    p.file("song.mix", "track a { source = \"good.wav\", on_error = ignore }\nexport \"out.wav\"\n");
    let out = p.mixc(&["check", "song.mix"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("conceal") && stderr.contains("stop") && stderr.contains("song.mix:"), "{stderr}");
}
