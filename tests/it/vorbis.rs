//! Ogg Vorbis deliverables: decoded by symphonia (mixc's reader) and by
//! ffmpeg's own Vorbis decoder, to the master's length; rate, channels,
//! the bitrate asked for, the tags; and the spanned refusals.

use std::process::Command;

use crate::common::*;

fn lufs(rate: u32, audio: &[Vec<f32>]) -> f64 {
    let mut m = ebur128::EbuR128::new(audio.len() as u32, rate, ebur128::Mode::I).expect("meter");
    let planar: Vec<&[f32]> = audio.iter().map(|c| c.as_slice()).collect();
    m.add_frames_planar_f32(&planar).expect("add");
    m.loudness_global().expect("I")
}

fn project() -> Project {
    let p = Project::new();
    let frames = 6 * 48_000;
    let l: Vec<f32> =
        noise(frames, 51, 0.2, 24).iter().zip(sine(frames, 48_000, 220.0, 0.3, 24)).map(|(a, b)| a + b).collect();
    let r: Vec<f32> =
        noise(frames, 52, 0.2, 24).iter().zip(sine(frames, 48_000, 330.0, 0.3, 24)).map(|(a, b)| a + b).collect();
    p.wav_int("music.wav", 48_000, 24, &[l, r]);
    p.file(
        "song.mix",
        "title = \"Ünïcode Sóng\"\nartist = \"Björk Tëst\"\nrate = 48kHz\ntrack a { source = \"music.wav\" }\n\
         export \"q6.ogg\"\nexport \"b160.ogg\" { rate = 44.1kHz, bitrate = 160kbps }\n\
         export \"master.wav\" { bits = 32f }\n",
    );
    p.render_ok("song.mix", &[]);
    p
}

#[test]
fn vorbis_exports_decode_to_the_masters_length_tags_and_loudness() {
    let p = project();
    let (_, master) = read_wav_f32(&p.path("master.wav"));
    let (rate, q6) = decode(&p.path("q6.ogg"));
    assert_eq!((rate, q6.len(), q6[0].len()), (48_000, 2, 6 * 48_000));
    let (rate, b160) = decode(&p.path("b160.ogg"));
    assert_eq!((rate, b160[0].len()), (44_100, 6 * 44_100));
    let (reference, coded) = (lufs(48_000, &master), lufs(48_000, &q6));
    assert!((coded - reference).abs() <= 0.3, "quality 6: {coded:.2} LUFS against {reference:.2} lossless");
    let (_, tags) = probe_with_tags(&p.path("q6.ogg"));
    let value = |key| tags.iter().find(|t| t.0 == Some(key)).map(|t| t.2.clone());
    use symphonia::core::meta::StandardTagKey as K;
    assert_eq!(value(K::TrackTitle).as_deref(), Some("Ünïcode Sóng"), "{tags:?}");
    assert_eq!(value(K::Artist).as_deref(), Some("Björk Tëst"), "{tags:?}");
}

/// ffmpeg's decoder and ffprobe: the same length, rate, channels, tags and
/// a bitrate near the one asked for.
#[test]
fn ffmpeg_reads_the_vorbis_exports_as_written() {
    if Command::new("ffprobe").arg("-version").output().is_err() {
        println!("skipped: ffprobe is not installed (apt-get install -y ffmpeg)");
        return;
    }
    let p = project();
    let probe = |file: &str, entries: &str| {
        let out = Command::new("ffprobe")
            .args(["-v", "error", "-show_entries", entries, "-of", "default=nw=1"])
            .arg(p.path(file))
            .output()
            .expect("ffprobe");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let stream = probe("b160.ogg", "stream=codec_name,sample_rate,channels:stream_tags=title,artist");
    for want in ["codec_name=vorbis", "sample_rate=44100", "channels=2", "title=Ünïcode Sóng", "artist=Björk Tëst"]
    {
        assert!(stream.to_lowercase().contains(&want.to_lowercase()), "missing {want}: {stream}");
    }
    let bitrate: f64 =
        probe("b160.ogg", "format=bit_rate").trim().trim_start_matches("bit_rate=").parse().expect("rate");
    assert!((160_000.0 * 0.75..160_000.0 * 1.25).contains(&bitrate), "{bitrate} b/s for 160 kbit/s");
    for (file, frames) in [("q6.ogg", 6 * 48_000), ("b160.ogg", 6 * 44_100)] {
        let pcm = Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(p.path(file))
            .args(["-f", "s16le", "-ac", "2", "-"])
            .output()
            .expect("ffmpeg");
        assert_eq!(pcm.stdout.len() / 4, frames, "{file}: ffmpeg decodes another length");
    }
}

/// What an Ogg Vorbis file cannot take is a spanned error naming what it can.
#[test]
fn impossible_vorbis_settings_are_refused_with_the_allowed_values() {
    let p = Project::new();
    p.wav_int("x.wav", 48_000, 24, &[noise(9_600, 1, 0.2, 24)]);
    let cases = [
        ("export \"a.ogg\" { quality = 11 }", "11", "from -1 to 10"),
        ("export \"a.ogg\" { bitrate = 600kbps }", "600kbps", "45kbps to 500kbps"),
        ("export \"a.ogg\" { quality = 5, bitrate = 160kbps }", "bitrate", "not both"),
        ("export \"a.ogg\" { bits = 16 }", "bits", "no `bits`"),
        ("export \"a.ogg\" { mode = cbr }", "mode", "`mode` is for Opus"),
        ("export \"a.mp3\" { quality = 2 }", "quality", "`quality` is for Ogg Vorbis"),
        ("export \"a.ogg\" { format = opus }", "opus", "named `.ogg`"),
    ];
    for (export, at, says) in cases {
        p.file("song.mix", &format!("track a {{ source = \"x.wav\" }}\n{export}\n"));
        let out = p.mixc(&["check", "song.mix"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{export}: {err}");
        assert!(err.contains(says) && err.contains("song.mix:") && err.contains(at), "{export}: {err}");
    }
}
