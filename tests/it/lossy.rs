//! MP3 deliverables: read back by symphonia (mixc's own decoder) and, where
//! installed, by ffmpeg, the reference: rate, channels, bitrate, tags, the
//! decoded length to the sample (LAME's Info tag carries the encoder delay
//! and padding), and loudness within 0.3 LU of the lossless master.

use std::process::Command;

use crate::common::*;

fn project() -> Project {
    let p = Project::new();
    let frames = 6 * 48_000;
    p.wav_int("music.wav", 48_000, 24, &tones_in_noise(frames, 48_000, 31));
    p.file(
        "song.mix",
        "title = \"Ünïcode Sóng\"\nartist = \"Björk Tëst\"\nrate = 48kHz\ntrack a { source = \"music.wav\" }\n\
         export \"hi.mp3\" { rate = 44.1kHz }\nexport \"low.mp3\" { bitrate = 128kbps }\n\
         export \"v2.mp3\" { vbr = 2 }\n\
         export \"master.wav\" { rate = 44.1kHz, bits = 32f }\n",
    );
    p.render_ok("song.mix", &[]);
    p
}

#[test]
fn mp3_exports_decode_to_the_masters_length_tags_and_loudness() {
    let p = project();
    let (rate, master) = read_wav_f32(&p.path("master.wav"));
    let (hi_rate, hi) = decode(&p.path("hi.mp3"));
    assert_eq!((hi_rate, hi.len()), (44_100, 2));
    assert_eq!(hi[0].len(), 6 * 44_100, "the decoded length is the master's (encoder delay and padding trimmed)");
    let (low_rate, low) = decode(&p.path("low.mp3"));
    assert_eq!((low_rate, low[0].len()), (48_000, 6 * 48_000));
    let (_, vbr) = decode(&p.path("v2.mp3"));
    assert_eq!(vbr[0].len(), 6 * 48_000, "VBR: the Info tag trims delay and padding too");
    let (reference, coded) = (lufs(rate.sample_rate, &master), lufs(44_100, &hi));
    assert!((coded - reference).abs() <= 0.3, "320 kbit/s: {coded:.2} LUFS against {reference:.2} lossless");
    let (_, tags) = probe_with_tags(&p.path("hi.mp3"));
    let value = |key| tags.iter().find(|t| t.0 == Some(key)).map(|t| t.2.clone());
    use symphonia::core::meta::StandardTagKey as K;
    assert_eq!(value(K::TrackTitle).as_deref(), Some("Ünïcode Sóng"), "{tags:?}");
    assert_eq!(value(K::Artist).as_deref(), Some("Björk Tëst"), "{tags:?}");
}

/// ffmpeg, the reference decoder: duration, rate, bitrate and the tags.
#[test]
fn ffmpeg_reads_the_mp3_exports_as_written() {
    if !have("ffprobe") {
        return;
    }
    let p = project();
    let probe = |file: &str, entries: &str| ffprobe(&p.path(file), entries).unwrap_or_default();
    let stream = probe("hi.mp3", "stream=sample_rate,channels,bit_rate,codec_name:format_tags=title,artist");
    for want in [
        "codec_name=mp3",
        "sample_rate=44100",
        "channels=2",
        "bit_rate=320000",
        "TAG:title=Ünïcode Sóng",
        "TAG:artist=Björk Tëst",
    ] {
        assert!(stream.contains(want), "missing {want}: {stream}");
    }
    // Decoded by ffmpeg (which reads LAME's Info tag): the master's length exactly.
    for file in ["low.mp3", "v2.mp3"] {
        let pcm = Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(p.path(file))
            .args(["-f", "s16le", "-ac", "2", "-"])
            .output()
            .expect("ffmpeg");
        assert_eq!(pcm.stdout.len() / 4, 6 * 48_000, "{file}: ffmpeg decodes another length");
    }
    // VBR: the bitrate follows the music, inside LAME's -V 2 range.
    let vbr: f64 = probe("v2.mp3", "format=bit_rate").trim().trim_start_matches("bit_rate=").parse().expect("bit_rate");
    assert!((100_000.0..330_000.0).contains(&vbr), "v2.mp3: {vbr} b/s");
}

/// What an MP3 cannot hold is a spanned error naming what it can.
#[test]
fn impossible_mp3_settings_are_refused_with_the_allowed_values() {
    let cases = [
        ("export \"a.mp3\" { rate = 48kHz, bitrate = 100kbps }", "100kbps", "320kbps"),
        ("export \"a.mp3\" { rate = 48kHz, bits = 24 }", "bits", "no `bits`"),
        ("export \"a.mp3\"", "a.mp3", "32, 44.1 or 48 kHz"),
        ("export \"a.mp3\" { rate = 96kHz }", "96kHz", "rate = 44.1kHz"),
        ("export \"a.wav\" { bitrate = 320kbps }", "bitrate", "lossy"),
        ("export \"a.mp3\" { rate = 48kHz, vbr = 10 }", "10", "from 0 (best, largest) to 9"),
        ("export \"a.mp3\" { rate = 48kHz, vbr = 2, bitrate = 320kbps }", "vbr", "not both"),
        ("export \"a.opus\" { vbr = 2 }", "vbr", "`vbr` is for MP3"),
    ];
    assert_refused(96_000, &cases);
}

/// An MP3 decodes to integers that clip at full scale: a hot mix is
/// counted and warned about, as for a 16-bit WAV, never clipped silently.
#[test]
fn a_hot_mix_into_an_mp3_is_reported_as_clipped() {
    let p = Project::new();
    p.wav_int("x.wav", 48_000, 24, &[sine(48_000, 48_000, 440.0, 0.5, 24)]);
    p.file("song.mix", "track a { source = \"x.wav\", gain = 12dB }\nexport \"hot.mp3\"\n");
    let out = p.mixc(&["render", "song.mix"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("samples clipped at full scale"), "{err}");
}
