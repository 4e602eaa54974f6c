//! Opus deliverables (Ogg Opus, RFC 7845): read back by ffmpeg's own Opus
//! decoder, the independent reference (ffmpeg does not use libopus to
//! decode), by symphonia's Ogg demuxer (rate, channels, pre-skip, tags) and
//! by mixc: the decoded length to the sample, the bitrate, the tags, loudness
//! within 0.3 LU of the lossless master, and the spanned refusals.

use std::process::Command;

use crate::common::*;

/// Decoded by ffmpeg's native Opus decoder, which honours the pre-skip and
/// the end granule: planar f32 at 48 kHz.
fn ffmpeg_decode(path: &std::path::Path) -> Vec<Vec<f32>> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-c:a", "opus", "-i"])
        .arg(path)
        .args(["-f", "f32le", "-ac", "2", "-ar", "48000", "-"])
        .output()
        .expect("ffmpeg");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let samples: Vec<f32> = out.stdout.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    vec![samples.iter().step_by(2).copied().collect(), samples.iter().skip(1).step_by(2).copied().collect()]
}

/// 6 s of noise and tones at 44.1 kHz: the Opus exports are converted to 48 kHz.
fn project() -> Project {
    let p = Project::new();
    let frames = 6 * 44_100;
    p.wav_int("music.wav", 44_100, 24, &tones_in_noise(frames, 44_100, 41));
    p.file(
        "song.mix",
        "title = \"Ünïcode Sóng\"\nartist = \"Björk Tëst\"\nrate = 44.1kHz\ntrack a { source = \"music.wav\" }\n\
         export \"song.opus\"\nexport \"cbr.opus\" { bitrate = 96kbps, mode = cbr }\n\
         export \"master.wav\" { rate = 48kHz, bits = 32f }\n",
    );
    p.render_ok("song.mix", &[]);
    p
}

#[test]
fn opus_exports_decode_to_the_masters_length_and_loudness() {
    let p = project();
    let (spec, master) = read_wav_f32(&p.path("master.wav"));
    assert_eq!((spec.sample_rate, master[0].len()), (48_000, 6 * 48_000));
    // mixc's own reading (libopus): the same length, 48 kHz stereo.
    let (rate, ours) = decode(&p.path("song.opus"));
    assert_eq!((rate, ours.len(), ours[0].len()), (48_000, 2, 6 * 48_000), "mixc decodes another length");
    let reference = lufs(48_000, &master);
    let coded = lufs(48_000, &ours);
    assert!((coded - reference).abs() <= 0.3, "160 kbit/s: {coded:.2} LUFS against {reference:.2} lossless");
    if !have("ffmpeg") {
        return;
    }
    for file in ["song.opus", "cbr.opus"] {
        let theirs = ffmpeg_decode(&p.path(file));
        assert_eq!(theirs[0].len(), 6 * 48_000, "{file}: ffmpeg decodes another length");
        let coded = lufs(48_000, &theirs);
        assert!((coded - reference).abs() <= 0.3, "{file}: {coded:.2} LUFS against {reference:.2} lossless");
    }
    // The decoders agree: the pre-skip and the end are trimmed alike.
    let theirs = ffmpeg_decode(&p.path("song.opus"));
    let diff = ours[0].iter().zip(&theirs[0]).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
    assert!(diff < 1e-3, "mixc and ffmpeg decode differently (largest difference {diff})");
}

/// ffprobe: codec, rate, channels, the bitrate asked for, the tags.
#[test]
fn ffprobe_reads_the_opus_exports_as_written() {
    if !have("ffmpeg") {
        return;
    }
    let p = project();
    let probe = |file: &str, entries: &str| ffprobe(&p.path(file), entries).unwrap_or_default();
    let stream = probe("song.opus", "stream=codec_name,sample_rate,channels:stream_tags=title,artist");
    for want in
        ["codec_name=opus", "sample_rate=48000", "channels=2", "TAG:title=Ünïcode Sóng", "TAG:artist=Björk Tëst"]
    {
        assert!(stream.to_lowercase().contains(&want.to_lowercase()), "missing {want}: {stream}");
    }
    let bitrate = |file: &str| -> f64 {
        let out = probe(file, "format=bit_rate");
        out.trim().trim_start_matches("bit_rate=").parse().unwrap_or_else(|_| panic!("{file}: {out}"))
    };
    // CBR: 240 bytes every 20 ms, plus the Ogg pages' few bytes.
    let cbr = bitrate("cbr.opus");
    assert!((96_000.0..96_000.0 * 1.03).contains(&cbr), "cbr.opus: {cbr} b/s for 96 kbit/s");
    // VBR spends where the music needs it, around the rate asked for.
    let vbr = bitrate("song.opus");
    assert!((160_000.0 * 0.7..160_000.0 * 1.4).contains(&vbr), "song.opus: {vbr} b/s for 160 kbit/s");
}

/// symphonia's Ogg demuxer (no Opus decoder in symphonia 0.5): an Opus
/// track at 48 kHz, two channels, the pre-skip as the codec delay, the tags.
#[test]
fn symphonia_reads_the_opus_stream_and_its_tags() {
    let p = project();
    let (probed, tags) = probe_with_tags(&p.path("song.opus"));
    let track = probed.format.default_track().expect("a track");
    let params = &track.codec_params;
    assert_eq!(params.codec, symphonia::core::codecs::CODEC_TYPE_OPUS);
    assert_eq!(params.sample_rate, Some(48_000));
    assert_eq!(params.channels.map(|c| c.count()), Some(2));
    // libopus's lookahead at 48 kHz: 6.5 ms (RFC 7845 §4.2's typical 312).
    assert_eq!(params.delay, Some(312), "{params:?}");
    let value = |key| tags.iter().find(|t| t.0 == Some(key)).map(|t| t.2.clone());
    use symphonia::core::meta::StandardTagKey as K;
    assert_eq!(value(K::TrackTitle).as_deref(), Some("Ünïcode Sóng"), "{tags:?}");
    assert_eq!(value(K::Artist).as_deref(), Some("Björk Tëst"), "{tags:?}");
}

/// The summary and the `check` lines of a lossy export judge the decoded
/// file: a dense mix mastered to −1 dBTP holds it in the WAV, while Opus at
/// a low bitrate raises its peaks past the check's −0.9 dBTP.
#[test]
fn checks_judge_the_decoded_opus_file() {
    let p = Project::new();
    let frames = 4 * 48_000;
    p.wav_int("dense.wav", 48_000, 24, &[noise(frames, 7, 0.9, 24), noise(frames, 8, 0.9, 24)]);
    let song = |check: &str| {
        format!(
            "track a {{ source = \"dense.wav\" }}\nmaster {{ loudness = -6LUFS, true_peak = -1dBTP }}\n\
             check {{ true_peak <= {check} }}\nexport \"out.wav\" {{ bits = 24 }}\n\
             export \"low.opus\" {{ bitrate = 32kbps }}\n"
        )
    };
    p.file("song.mix", &song("-0.9dBTP"));
    let out = p.mixc(&["render", "song.mix"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the decoded Opus file passed: {err}");
    assert!(err.contains("low.opus") && !err.contains("out.wav"), "only the Opus file fails: {err}");
    assert!(!p.path("low.opus").exists() && !p.path("out.wav").exists(), "a failing render replaced nothing");
    assert!(temporary_files(&p.path("")).is_empty(), "{:?}", temporary_files(&p.path("")));
    // The summary's true peak is the decoded file's, as an independent meter reads it.
    p.file("song.mix", &song("+3dBTP"));
    let out = p.mixc(&["render", "song.mix"]);
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{summary}");
    let row = summary.lines().find(|l| l.trim_start().starts_with("low.opus")).expect("a row");
    let shown: f64 = row.split_whitespace().nth(3).and_then(|v| v.parse().ok()).expect("dBTP column");
    let (_, decoded) = decode(&p.path("low.opus"));
    let peak = true_peak_dbtp(48_000, &decoded);
    assert!(shown > -0.9, "the summary shows the encoder's input: {row}");
    assert!((shown - peak).abs() < 0.15, "summary {shown} dBTP, the decoded file {peak:.2} dBTP");
}

/// What an Opus file cannot hold is a spanned error naming what it can.
#[test]
fn impossible_opus_settings_are_refused_with_the_allowed_values() {
    let cases = [
        ("export \"a.opus\" { rate = 44.1kHz }", "44.1kHz", "always 48 kHz"),
        ("export \"a.opus\" { bitrate = 600kbps }", "600kbps", "6kbps to 510kbps"),
        ("export \"a.opus\" { bits = 24 }", "bits", "no `bits`"),
        ("export \"a.opus\" { dither = tpdf }", "dither", "no `dither`"),
        ("export \"a.opus\" { mode = abr }", "abr", "cvbr"),
        ("export \"a.mp3\" { rate = 48kHz, mode = vbr }", "mode", "`mode` is for Opus"),
        ("export \"a.flac\" { mode = cbr }", "mode", "lossy"),
    ];
    assert_refused(48_000, &cases);
}

/// An Opus file is a source like any other; cut short or with a corrupt
/// page it is an error naming the file, the place and the reason.
#[test]
fn opus_sources_render_and_damaged_ones_are_named() {
    let p = project();
    let bytes = std::fs::read(p.path("cbr.opus")).expect("read");
    p.file("again.mix", "track a { source = \"cbr.opus\" }\nexport \"again.wav\" { bits = 32f }\n");
    p.render_ok("again.mix", &[]);
    let (spec, again) = read_wav_f32(&p.path("again.wav"));
    assert_eq!((spec.sample_rate, again[0].len()), (48_000, 6 * 48_000));
    std::fs::write(p.path("cut.opus"), &bytes[..bytes.len() / 2]).expect("write");
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 3] ^= 0x55;
    std::fs::write(p.path("flipped.opus"), &flipped).expect("write");
    for (file, says) in [("cut.opus", "truncated"), ("flipped.opus", "corrupt")] {
        let out = p.mixc(&["meter", file]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        assert!(err.contains(file) && err.contains(says) && err.contains("frame "), "{file}: {err}");
    }
}

/// A chord with a noise wash, mastered loud: its true peak rises when
/// encoded. With `after decoding` each lossy file is encoded again with a
/// lower limiter until the decoded file, read by ffmpeg's decoders (not
/// mixc's), holds the ceiling.
#[test]
fn after_decoding_holds_the_ceiling_on_the_decoded_files() {
    let p = Project::new();
    let frames = 6 * 48_000;
    p.wav_int("chord.wav", 48_000, 24, &[chord(frames, 48_000, 3, 1.0), chord(frames, 48_000, 4, 1.003)]);
    let song = |after: &str| {
        format!(
            "track a {{ source = \"chord.wav\" }}\nmaster {{ loudness = -10LUFS, true_peak = -1dBTP{after} }}\n\
             export \"x.opus\" {{ bitrate = 64kbps }}\nexport \"x.mp3\" {{ bitrate = 128kbps }}\n"
        )
    };
    p.file("song.mix", &song(""));
    p.render_ok("song.mix", &[]);
    for file in ["x.opus", "x.mp3"] {
        let (rate, audio) = decode(&p.path(file));
        let peak = true_peak_dbtp(rate, &audio);
        assert!(peak > -0.98, "{file}: the case must rise when encoded ({peak:.2} dBTP)");
    }
    p.file("song.mix", &song(" after decoding"));
    p.render_ok("song.mix", &[]);
    for file in ["x.opus", "x.mp3"] {
        let (rate, audio) = decode(&p.path(file));
        let peak = true_peak_dbtp(rate, &audio);
        assert!(peak <= -1.0, "{file}: decoded by mixc at {peak:.2} dBTP");
        if have("ffmpeg") {
            let out = Command::new("ffmpeg")
                .args(["-v", "error", "-i"])
                .arg(p.path(file))
                .args(["-f", "f32le", "-ac", "2", "-"])
                .output()
                .expect("ffmpeg");
            let s: Vec<f32> =
                out.stdout.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
            let theirs = vec![s.iter().step_by(2).copied().collect(), s.iter().skip(1).step_by(2).copied().collect()];
            let peak = true_peak_dbtp(rate, &theirs);
            assert!(peak <= -0.98, "{file}: decoded by ffmpeg at {peak:.2} dBTP");
        }
    }
}

/// `after decoding` belongs to a `true_peak` ceiling; elsewhere it is a
/// spanned error, and the formatter keeps it.
#[test]
fn after_decoding_is_refused_where_it_means_nothing() {
    let p = Project::new();
    p.wav_int("x.wav", 48_000, 24, &[noise(9_600, 1, 0.2, 24)]);
    let cases = [
        ("master { loudness = -14LUFS after decoding }", "decoding", "goes with a `true_peak` ceiling"),
        ("master { true_peak = -1dBTP after encoding }", "encoding", "decoding"),
        ("check { true_peak <= -1dBTP after decoding }", "decoding", "always checked after decoding"),
    ];
    for (line, at, says) in cases {
        p.file("song.mix", &format!("track a {{ source = \"x.wav\" }}\n{line}\nexport \"a.opus\"\n"));
        let out = p.mixc(&["check", "song.mix"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{line}: {err}");
        assert!(err.contains(says) && err.contains("song.mix:") && err.contains(at), "{line}: {err}");
    }
    let text =
        "track a { source = \"x.wav\" }\nmaster {   true_peak = -1dBTP   after   decoding }\nexport \"a.opus\"\n";
    p.file("fmt.mix", text);
    let formatted = p.mixc(&["fmt", "fmt.mix"]);
    assert!(formatted.status.success(), "{}", String::from_utf8_lossy(&formatted.stderr));
    let now = std::fs::read_to_string(p.path("fmt.mix")).expect("read");
    assert!(now.contains("master { true_peak = -1dBTP after decoding }"), "{now}");
    let out = p.mixc(&["check", "fmt.mix"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
