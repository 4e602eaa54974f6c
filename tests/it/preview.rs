//! `mixc preview`: each codec's decoded file against the lossless master,
//! in a temporary folder that is gone afterwards.

use crate::common::*;

/// Noise and tones at 44.1 kHz (no energy above 22 kHz, as in music).
fn song(p: &Project, master: &str) {
    let frames = 5 * 44_100;
    p.wav_int("music.wav", 44_100, 24, &tones_in_noise(frames, 44_100, 61));
    p.file("song.mix", &format!("track a {{ source = \"music.wav\" }}\n{master}\nexport \"out.wav\"\n"));
}

fn preview_json(p: &Project, codecs: &str) -> serde_json::Value {
    let out = p.mixc(&["preview", "song.mix", "--codec", codecs, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

fn leftovers() -> Vec<String> {
    let mine = |name: &str| {
        name.strip_prefix("mixc-preview-")
            .and_then(|pid| pid.parse::<u32>().ok())
            .is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists())
    };
    std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| mine(n))
        .collect()
}

/// At transparent bitrates the decoded loudness is the master's within
/// 0.3 LU; each row's change is its reading less the master's; nothing of
/// the song's own exports is written, and the temporary folder is gone.
#[test]
fn preview_measures_each_codec_against_the_master() {
    let p = Project::new();
    song(&p, "master { loudness = -14LUFS, true_peak = -1dBTP }");
    let v = preview_json(&p, "mp3:320k,opus:160k,vorbis:q6");
    let master = v["master"]["integrated_lufs"].as_f64().expect("master LUFS");
    assert!((master + 14.0).abs() < 0.05, "{master}");
    assert_eq!(v["ceiling_dbtp"].as_f64(), Some(-1.0));
    let rows = v["codecs"].as_array().expect("rows");
    let names: Vec<&str> = rows.iter().map(|r| r["codec"].as_str().unwrap_or("")).collect();
    assert_eq!(names, ["mp3:320k", "opus:160k", "vorbis:q6"]);
    for r in rows {
        let lufs = r["measured"]["integrated_lufs"].as_f64().expect("LUFS");
        assert!((lufs - master).abs() <= 0.3, "{}: {lufs} against {master}", r["codec"]);
        let delta = r["delta_lufs"].as_f64().expect("delta");
        assert!((delta - (lufs - master)).abs() < 1e-9);
        let kbps = r["kbps"].as_f64().expect("kbps");
        assert!(kbps > 60.0 && kbps < 400.0, "{}: {kbps} kbit/s", r["codec"]);
    }
    assert_eq!(rows[0]["rate"], 44_100, "MP3 at the session rate");
    assert_eq!(rows[1]["rate"], 48_000, "Opus always at 48 kHz");
    assert!(!p.path("out.wav").exists(), "a preview writes none of the song's exports");
    assert!(leftovers().is_empty(), "{:?}", leftovers());
}

/// A decoded true peak over the ceiling is flagged with the fix; with the
/// fix the same codec decodes under it.
#[test]
fn preview_flags_codecs_that_decode_over_the_ceiling() {
    let p = Project::new();
    let frames = 6 * 48_000;
    p.wav_int("music.wav", 48_000, 24, &[chord(frames, 48_000, 3, 1.0), chord(frames, 48_000, 4, 1.003)]);
    let song = |master: &str| {
        p.file("song.mix", &format!("track a {{ source = \"music.wav\" }}\n{master}\nexport \"out.wav\"\n"));
    };
    song("master { loudness = -10LUFS, true_peak = -1dBTP }");
    let out = p.mixc(&["preview", "song.mix", "--codec", "opus:64k"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(table.contains("warning: opus:64k decodes over -1.0 dBTP") && table.contains("after decoding"), "{table}");
    song("master { loudness = -10LUFS, true_peak = -1dBTP after decoding }");
    let v = preview_json(&p, "opus:64k");
    let tp = v["codecs"][0]["measured"]["true_peak_dbtp"].as_f64().expect("tp");
    assert!(tp <= -1.0, "{tp}");
}

#[test]
fn a_bad_codec_list_exits_2_naming_what_mixc_previews() {
    let p = Project::new();
    song(&p, "");
    let out = p.mixc(&["preview", "song.mix", "--codec", "mp3:320k,aac:256k"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("`aac:256k`") && err.contains("mp3:320k,opus:160k,vorbis:q6"), "{err}");
}
