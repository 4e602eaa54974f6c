//! Albums end to end: the example album (`examples/album/`) and small
//! synthetic ones. Loudness is read back from the delivered files with the
//! `ebur128` crate, not with mixc's own meter.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use symphonia::core::meta::StandardTagKey;

use crate::common::*;

const ALBUM_RATE: u64 = 48_000;
const CD_RATE: u64 = 44_100;
/// Samples per CD frame (1/75 s) at the album rate and at 44.1 kHz.
const FRAME_48K: u64 = 640;
const FRAME_CD: u64 = 588;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn mixc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mixc")).args(args).env("NO_COLOR", "1").output().expect("run mixc")
}

fn render(file: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["render".to_string(), file.to_string_lossy().into_owned(), "-o".into()];
    args.push(out.to_string_lossy().into_owned());
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    let o = mixc(&args);
    assert!(o.status.success(), "{}: {}", file.display(), String::from_utf8_lossy(&o.stderr));
    o
}

/// The example album rendered once (default threads) for every test that
/// reads it, plus each of its songs rendered alone (un-normalised).
struct Example {
    /// Where the album's exports went.
    album: PathBuf,
    /// Where the songs rendered alone went.
    alone: PathBuf,
    /// The album report.
    report: String,
}

const SONGS: [(&str, &str); 3] = [
    ("examples/album/01-headlights.mix", "out/01-headlights.wav"),
    ("examples/demo/demo.mix", "out/demo.wav"),
    ("examples/album/03-tail-lights.mix", "out/03-tail-lights.wav"),
];
const PER_SONG: [&str; 3] = ["01-Headlights.wav", "02-Night Drive.wav", "03-Tail Lights.wav"];

fn example() -> &'static Example {
    static EXAMPLE: OnceLock<Example> = OnceLock::new();
    EXAMPLE.get_or_init(|| {
        // One folder per process: nextest runs each test in its own process,
        // and they must not clear each other's renders.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("album-example-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let album = dir.join("album");
        let out = render(&root().join("examples/album/album.mix"), &album, &[]);
        let alone = dir.join("alone");
        for (song, _) in SONGS {
            render(&root().join(song), &alone, &["--quiet"]);
        }
        Example { album, alone, report: String::from_utf8_lossy(&out.stderr).into_owned() }
    })
}

/// Integrated loudness (LUFS) and true peak (dBTP, the louder channel) by the `ebur128` crate.
fn ebur128_reading(rate: u32, audio: &[Vec<f32>]) -> (f64, f64) {
    let mode = ebur128::Mode::I | ebur128::Mode::TRUE_PEAK;
    let mut m = ebur128::EbuR128::new(audio.len() as u32, rate, mode).expect("meter");
    let planar: Vec<&[f32]> = audio.iter().map(|c| c.as_slice()).collect();
    m.add_frames_planar_f32(&planar).expect("add");
    let tp = (0..audio.len() as u32).map(|c| m.true_peak(c).expect("tp")).fold(0.0, f64::max);
    (m.loudness_global().expect("I"), 20.0 * tp.log10())
}

fn reading(path: &Path) -> (f64, f64) {
    let (rate, audio) = decode(path);
    ebur128_reading(rate, &audio)
}

/// One `TRACK` of a CUE sheet: INDEX 00 and 01 in CD frames.
#[derive(Debug)]
struct CueTrack {
    title: String,
    isrc: Option<String>,
    index0: Option<u64>,
    index1: u64,
}

fn parse_cue(text: &str) -> (String, Vec<CueTrack>) {
    let frames = |t: &str| {
        let p: Vec<u64> = t.split(':').map(|x| x.parse().expect("mm:ss:ff")).collect();
        assert!(p.len() == 3 && p[1] < 60 && p[2] < 75, "{t}");
        (p[0] * 60 + p[1]) * 75 + p[2]
    };
    let mut file = String::new();
    let mut tracks: Vec<CueTrack> = Vec::new();
    for line in text.lines().map(str::trim) {
        let quoted = || line.split('"').nth(1).unwrap_or_default().to_string();
        if line.starts_with("FILE ") {
            assert!(line.ends_with(" WAVE"), "{line}");
            file = quoted();
        } else if let Some(rest) = line.strip_prefix("TRACK ") {
            assert_eq!(rest, format!("{:02} AUDIO", tracks.len() + 1));
            tracks.push(CueTrack { title: String::new(), isrc: None, index0: None, index1: u64::MAX });
        } else if let Some(t) = tracks.last_mut() {
            if line.starts_with("TITLE ") {
                t.title = quoted();
            } else if let Some(code) = line.strip_prefix("ISRC ") {
                t.isrc = Some(code.into());
            } else if let Some(time) = line.strip_prefix("INDEX 00 ") {
                t.index0 = Some(frames(time));
            } else if let Some(time) = line.strip_prefix("INDEX 01 ") {
                t.index1 = frames(time);
            }
        }
    }
    (file, tracks)
}

/// The example album: one FLAC as long as the songs plus the gaps (to the
/// sample), a CUE sheet whose marks sit on the songs and the gaps, on CD
/// frames, and one 44.1 kHz/16-bit WAV per song that add up to the album.
#[test]
fn example_album_renders_one_file_with_cue_marks_and_one_file_per_song() {
    let ex = example();
    let lengths: Vec<u64> = SONGS.iter().map(|(_, wav)| read_wav_ints(&ex.alone.join(wav)).1[0].len() as u64).collect();
    let (rate, flac) = decode(&ex.album.join("out/night-drive-ep.flac"));
    assert_eq!((rate, flac.len()), (CD_RATE as u32, 2));
    let info = mixc::io::decode::probe(&ex.album.join("out/night-drive-ep.flac"), false).expect("probe");
    assert_eq!(info.bits_per_sample, Some(16));

    let cue = std::fs::read_to_string(ex.album.join("out/night-drive-ep.cue")).expect("the CUE sheet beside the FLAC");
    let (file, tracks) = parse_cue(&cue);
    assert_eq!(file, "night-drive-ep.flac");
    let titles: Vec<&str> = tracks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Headlights", "Night Drive", "Tail Lights"]);
    assert_eq!(tracks[1].isrc.as_deref(), Some("ZZMIX2600002"));

    // Song 1 runs 30 s (a whole number of CD frames) and goes gapless into
    // song 2: its mark is exactly where song 1 ends, with no pregap.
    assert_eq!(lengths[0], 30 * ALBUM_RATE);
    assert_eq!(tracks[0].index1, 0);
    assert_eq!((tracks[1].index0, tracks[1].index1 * FRAME_48K), (None, lengths[0]));
    // Song 2 is followed by the album's 2 s gap, lengthened to the next CD
    // frame: the pregap (INDEX 00 to 01) is the 2 s as written.
    let end2 = lengths[0] + lengths[1];
    let start3 = tracks[2].index1 * FRAME_48K;
    assert!(start3 >= end2 + 2 * ALBUM_RATE && start3 < end2 + 2 * ALBUM_RATE + FRAME_48K, "{start3} vs {end2}");
    assert_eq!(tracks[2].index0, Some(tracks[2].index1 - 150));

    // The file is the songs plus the gaps, to the sample (converted to 44.1 kHz).
    let total = start3 + lengths[2];
    assert_eq!(flac[0].len() as u64, (total * CD_RATE + ALBUM_RATE / 2) / ALBUM_RATE);
    // The marks sit on the audio: silence from song 2's end to song 3's mark,
    // and song 3 sounding at once.
    let cd = |f: u64| (f * CD_RATE / ALBUM_RATE) as usize;
    let gap = &flac[0][cd(end2) + 1..(tracks[2].index1 * FRAME_CD) as usize];
    assert!(gap.iter().all(|x| x.abs() < 1e-3), "the gap is silent");
    // (The pad swells in over a couple of hundred milliseconds.)
    let onset = &flac[0][(tracks[2].index1 * FRAME_CD) as usize..][..(CD_RATE / 2) as usize];
    assert!(onset[..20].iter().any(|&x| x != 0.0), "song 3 starts at its mark");
    assert!(onset.iter().any(|x| x.abs() > 1e-2), "song 3 starts at its mark");

    // One file per song, from its mark to the next song's: together, the album.
    let starts: Vec<u64> = tracks.iter().map(|t| t.index1 * FRAME_CD).collect();
    let mut sum = 0;
    for (i, name) in PER_SONG.iter().enumerate() {
        let (spec, audio) = read_wav_ints(&ex.album.join("out/songs").join(name));
        assert_eq!((spec.sample_rate, spec.bits_per_sample, spec.channels), (44_100, 16, 2), "{name}");
        let end = starts.get(i + 1).copied().unwrap_or(flac[0].len() as u64);
        assert_eq!(audio[0].len() as u64, end - starts[i], "{name}");
        sum += audio[0].len();
    }
    assert_eq!(sum, flac[0].len());
}

/// The whole album measures −14 LUFS; songs the ceiling did not force into
/// the limiter keep the loudness differences they were mixed with; no song
/// passes −1 dBTP; and the report says which song was limited.
#[test]
fn example_album_hits_its_loudness_keeps_song_levels_and_holds_the_ceiling() {
    let ex = example();
    let (album, album_tp) = reading(&ex.album.join("out/night-drive-ep.flac"));
    assert!((album + 14.0).abs() <= 0.1, "album at {album:.3} LUFS");
    assert!(album_tp <= -1.0, "album true peak {album_tp:.3} dBTP");
    let mut delivered = Vec::new();
    let mut mixed = Vec::new();
    for (i, name) in PER_SONG.iter().enumerate() {
        let (i_db, tp) = reading(&ex.album.join("out/songs").join(name));
        assert!(tp <= -1.0, "{name}: true peak {tp:.3} dBTP");
        delivered.push(i_db);
        mixed.push(reading(&ex.alone.join(SONGS[i].1)).0);
    }
    // The report names, per song, whether the ceiling forced the limiter.
    let forced: Vec<bool> = ["1  Headlights", "2  Night Drive", "3  Tail Lights"]
        .iter()
        .map(|row| {
            let line = ex.report.lines().find(|l| l.trim_start().starts_with(row));
            line.unwrap_or_else(|| panic!("no row `{row}` in\n{}", ex.report)).contains("forced:")
        })
        .collect();
    assert_eq!(forced, [false, true, false], "{}", ex.report);
    let mut compared = 0;
    for i in 0..3 {
        for j in i + 1..3 {
            if forced[i] || forced[j] {
                continue;
            }
            let (now, before) = (delivered[i] - delivered[j], mixed[i] - mixed[j]);
            assert!((now - before).abs() <= 0.05, "songs {i} and {j}: {now:.3} LU apart, mixed {before:.3}");
            compared += 1;
        }
    }
    assert!(compared >= 1);
    assert!(ex.report.contains("album in out/night-drive-ep.flac + night-drive-ep.cue: -14.0"), "{}", ex.report);
}

/// One thread or all of them: the same bytes in every file.
#[test]
fn example_album_is_identical_on_one_thread() {
    let ex = example();
    let dir = tempfile::tempdir().expect("temp dir");
    render(&root().join("examples/album/album.mix"), dir.path(), &["--quiet", "--threads", "1"]);
    let mut files = vec!["out/night-drive-ep.flac".to_string(), "out/night-drive-ep.cue".into()];
    files.extend(PER_SONG.iter().map(|n| format!("out/songs/{n}")));
    for f in files {
        let a = std::fs::read(ex.album.join(&f)).expect("default threads");
        let b = std::fs::read(dir.path().join(&f)).expect("one thread");
        assert!(a == b, "{f} differs between thread counts");
    }
}

/// Every tag of a file, read back by symphonia: (standard key, key, value).
fn tags(path: &Path) -> Vec<Tag> {
    probe_with_tags(path).1
}

fn tag(tags: &[(Option<StandardTagKey>, String, String)], key: StandardTagKey) -> Option<&str> {
    tags.iter().find(|t| t.0 == Some(key)).map(|t| t.2.as_str())
}

/// Each song's file carries its title (the album's override for song 2),
/// artist, album, track number and ISRC; the single file the album's title.
#[test]
fn example_album_files_carry_their_tags() {
    let ex = example();
    let titles = ["Headlights", "Night Drive", "Tail Lights"];
    for (i, name) in PER_SONG.iter().enumerate() {
        let t = tags(&ex.album.join("out/songs").join(name));
        assert_eq!(tag(&t, StandardTagKey::TrackTitle), Some(titles[i]), "{name}: {t:?}");
        assert_eq!(tag(&t, StandardTagKey::Artist), Some("The mixc Examples"), "{name}");
        assert_eq!(tag(&t, StandardTagKey::Album), Some("Night Drive EP"), "{name}");
        // symphonia names INFO's `ITRK` by its id only.
        let n = (i + 1).to_string();
        assert!(t.iter().any(|t| (t.0 == Some(StandardTagKey::TrackNumber) || t.1 == "ITRK") && t.2 == n), "{t:?}");
        let isrc = format!("ZZMIX260000{}", i + 1);
        assert!(t.iter().any(|t| t.1 == "ISRC" && t.2 == isrc), "{name}: {t:?}");
    }
    let t = tags(&ex.album.join("out/night-drive-ep.flac"));
    assert_eq!(tag(&t, StandardTagKey::TrackTitle), Some("Night Drive EP"), "{t:?}");
    assert_eq!(tag(&t, StandardTagKey::Album), Some("Night Drive EP"));
    assert_eq!(tag(&t, StandardTagKey::Artist), Some("The mixc Examples"));
    assert_eq!(tag(&t, StandardTagKey::Date), Some("2026"), "{t:?}");
}

/// A small album of sine songs: `songs` are (level dBFS, seconds); `album`
/// is the text inside the `album` block after the songs; `exports` the rest.
fn sine_album(p: &Project, songs: &[(f64, f64)], settings: &str, exports: &str) -> PathBuf {
    let mut lines = Vec::new();
    for (i, (level, seconds)) in songs.iter().enumerate() {
        let n = (seconds * 48_000.0) as usize;
        let tone = sine(n, 48_000, 440.0 + 110.0 * i as f64, 10f64.powf(level / 20.0), 24);
        p.wav_int(&format!("songs/tone{i}.wav"), 48_000, 24, &[tone]);
        p.file(
            &format!("songs/song{i}.mix"),
            &format!("title = \"Song {i}\"\ntrack t {{ source = \"tone{i}.wav\" }}\n"),
        );
        lines.push(format!("    song \"songs/song{i}.mix\""));
    }
    let text = format!("album \"Sines\" {{\n{settings}\n{}\n}}\n{exports}\n", lines.join("\n"));
    p.file("album.mix", &text)
}

/// `normalize = per_song` with a delivery preset (`apple_music`: −16 LUFS,
/// −1 dBTP): every song to the target on its own, each FLAC tagged with its
/// place on the album.
#[test]
fn per_song_normalisation_puts_every_song_on_the_target() {
    let p = Project::new();
    let settings = "    target = apple_music\n    normalize = per_song\n    gap = 1s";
    let exports = "import \"std/delivery.mix\"\nexport \"out/{n} {title}.flac\"";
    sine_album(&p, &[(-30.0, 3.0), (-12.0, 3.0)], settings, exports);
    p.render_ok("album.mix", &[]);
    for (i, name) in ["01 Song 0.flac", "02 Song 1.flac"].iter().enumerate() {
        let path = p.path(&format!("out/{name}"));
        let (lufs, tp) = reading(&path);
        assert!((lufs + 16.0).abs() <= 0.1, "{name}: {lufs:.3} LUFS");
        assert!(tp <= -1.0, "{name}: {tp:.3} dBTP");
        let t = tags(&path);
        assert_eq!(tag(&t, StandardTagKey::TrackTitle), Some(format!("Song {i}").as_str()), "{t:?}");
        assert_eq!(tag(&t, StandardTagKey::TrackNumber), Some((i + 1).to_string().as_str()), "{t:?}");
        assert_eq!(tag(&t, StandardTagKey::TrackTotal), Some("2"), "{t:?}");
        assert_eq!(tag(&t, StandardTagKey::Album), Some("Sines"), "{t:?}");
    }
}

/// A crossfade overlaps two songs by its length (made a whole number of CD
/// frames) and the sum stays under the ceiling.
#[test]
fn a_crossfade_overlaps_the_songs_under_the_ceiling() {
    let p = Project::new();
    let settings = "    loudness = -10LUFS\n    true_peak = -1dBTP\n    crossfade = 1s";
    sine_album(&p, &[(-6.0, 3.0), (-6.0, 4.0)], settings, "export \"out/album.wav\"");
    p.render_ok("album.mix", &[]);
    let (spec, audio) = read_wav_f32(&p.path("out/album.wav"));
    let overlap = 7 * 48_000 - audio[0].len() as u64;
    assert!((48_000..48_000 + FRAME_48K).contains(&overlap), "overlap {overlap}");
    assert_eq!((3 * 48_000 - overlap) % FRAME_48K, 0, "song 2 starts on a CD frame");
    let (_, tp) = ebur128_reading(spec.sample_rate, &audio);
    assert!(tp <= -1.0, "{tp:.3} dBTP");
}

/// A deliverable that cannot be made stops the render before anything is
/// replaced: the file already there is untouched and no temporary is left.
#[test]
fn a_failed_album_render_replaces_nothing() {
    let p = Project::new();
    let exports = "export \"out/album.wav\"\nexport \"out/loud/{n}.wav\" { loudness = -3LUFS, true_peak = -12dBTP }";
    sine_album(&p, &[(-20.0, 2.0), (-20.0, 2.0)], "    gap = 0s", exports);
    p.file("out/album.wav", "an earlier render");
    let out = p.mixc(&["render", "album.mix"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(p.path("out/album.wav")).expect("kept"), "an earlier render");
    let left: Vec<_> = walk(&p.path("out")).into_iter().filter(|f| !f.ends_with("album.wav")).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// `mixc check` checks every song; `mixc watch` says albums are not watched.
#[test]
fn check_reports_the_album_and_watch_refuses_it() {
    let p = Project::new();
    sine_album(&p, &[(-20.0, 1.0)], "", "export \"out/album.wav\"");
    let out = p.mixc(&["check", "album.mix"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("album `Sines`, 1 song, 1 export"));
    let out = p.mixc(&["watch", "album.mix"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is an album"));
}

/// An album's files may be lossy, one file or one a song: they decode to the
/// album's length (the songs' files tile it), and the summary's figures are
/// the decoded files', as an independent meter reads them.
#[test]
fn lossy_album_files_are_measured_as_they_decode() {
    let p = Project::new();
    let settings = "    loudness = -14LUFS\n    true_peak = -1dBTP\n    gap = 1s";
    let exports = "export \"out/album.wav\" { bits = 32f }\nexport \"out/mp3/album.mp3\"\nexport \"out/{n}.opus\"";
    sine_album(&p, &[(-12.0, 3.0), (-18.0, 2.0)], settings, exports);
    let out = p.mixc(&["render", "album.mix"]);
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{summary}");
    let (_, wav) = read_wav_f32(&p.path("out/album.wav"));
    let (_, mp3) = decode(&p.path("out/mp3/album.mp3"));
    assert_eq!(mp3[0].len(), wav[0].len(), "the MP3 decodes to the album's length");
    let songs: usize = ["out/01.opus", "out/02.opus"].iter().map(|f| decode(&p.path(f)).1[0].len()).sum();
    assert_eq!(songs, wav[0].len(), "the songs' Opus files tile the album");
    let line = summary.lines().find(|l| l.contains("out/mp3/album.mp3")).expect("the MP3's line");
    assert!(line.contains("MP3 320 kbit/s, as decoded"), "{line}");
    let shown: f64 =
        line.split(" dBTP").next().and_then(|l| l.rsplit(' ').next()).and_then(|v| v.parse().ok()).expect("dBTP");
    let (_, decoded_tp) = reading(&p.path("out/mp3/album.mp3"));
    assert!((shown - decoded_tp).abs() < 0.15, "summary {shown} dBTP, the decoded MP3 {decoded_tp:.2} dBTP: {line}");
}

/// `after decoding` in an album: without it a loud album of chords decodes
/// over the ceiling in Opus 64k and MP3 128k; with it every file (the album
/// in one MP3, a song in each Opus file) decodes at or under it.
#[test]
fn an_album_holds_its_ceiling_after_decoding() {
    let p = Project::new();
    let frames = 4 * 48_000;
    let mut lines = Vec::new();
    for i in 0..2u64 {
        let shift = 1.0 + 0.06 * i as f64;
        p.wav_int(
            &format!("songs/chord{i}.wav"),
            48_000,
            24,
            &[chord(frames, 48_000, 10 + i, shift), chord(frames, 48_000, 20 + i, shift * 1.003)],
        );
        p.file(
            &format!("songs/song{i}.mix"),
            &format!("title = \"Chord {i}\"\ntrack t {{ source = \"chord{i}.wav\" }}\n"),
        );
        lines.push(format!("    song \"songs/song{i}.mix\""));
    }
    let album = |after: &str| {
        format!(
            "album \"Chords\" {{\n    loudness = -10LUFS\n    true_peak = -1dBTP{after}\n    gap = 1s\n{}\n}}\n\
             export \"out/{{n}}.opus\" {{ bitrate = 64kbps }}\nexport \"out/mp3/album.mp3\" {{ bitrate = 128kbps }}\n",
            lines.join("\n")
        )
    };
    let files = ["out/01.opus", "out/02.opus", "out/mp3/album.mp3"];
    let peaks = |p: &Project| -> Vec<f64> { files.iter().map(|f| reading(&p.path(f)).1).collect() };
    p.file("album.mix", &album(""));
    p.render_ok("album.mix", &[]);
    let before = peaks(&p);
    assert!(before.iter().any(|&tp| tp > -0.98), "the case must rise when encoded: {before:?}");
    p.file("album.mix", &album(" after decoding"));
    p.render_ok("album.mix", &[]);
    let after = peaks(&p);
    assert!(after.iter().all(|&tp| tp <= -1.0), "decoded over the ceiling: {after:?}");
}
