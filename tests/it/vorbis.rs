//! Ogg Vorbis deliverables: decoded by symphonia (mixc's reader) and by
//! ffmpeg's own Vorbis decoder, to the master's length; rate, channels,
//! the bitrate asked for, the tags; and the spanned refusals.

use std::process::Command;

use crate::common::*;

fn project() -> Project {
    let p = Project::new();
    let frames = 6 * 48_000;
    p.wav_int("music.wav", 48_000, 24, &tones_in_noise(frames, 48_000, 51));
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
    if !have("ffprobe") {
        return;
    }
    let p = project();
    let probe = |file: &str, entries: &str| ffprobe(&p.path(file), entries).unwrap_or_default();
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
    let cases = [
        ("export \"a.ogg\" { quality = 11 }", "11", "from -1 to 10"),
        ("export \"a.ogg\" { bitrate = 600kbps }", "600kbps", "45kbps to 500kbps"),
        ("export \"a.ogg\" { quality = 5, bitrate = 160kbps }", "bitrate", "not both"),
        ("export \"a.ogg\" { bits = 16 }", "bits", "no `bits`"),
        ("export \"a.ogg\" { mode = cbr }", "mode", "`mode` is for Opus"),
        ("export \"a.mp3\" { quality = 2 }", "quality", "`quality` is for Ogg Vorbis"),
        ("export \"a.ogg\" { format = opus }", "opus", "named `.ogg`"),
    ];
    assert_refused(48_000, &cases);
}
