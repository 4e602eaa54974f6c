//! Tagged files checked by the reference tools, when installed (each test
//! prints why it skipped otherwise): ffprobe/ffmpeg read and decode them, and
//! `flac -t` / `metaflac` accept our FLAC. Never the only check: the
//! byte-level tests are in `tests_tags.rs` and `tests_tags_wav.rs`.

use std::path::Path;
use std::process::Command;

use super::tags::{release_tags, spec, write};
use crate::deliver::tags::{Bext, TagKey, Tags};
use crate::ir::{Container, SampleFormat};

/// Runs a tool with `path` after `args` and `then` after it; `None` when the
/// tool is not installed, a panic when it fails.
fn run_with(tool: &str, args: &[&str], path: &Path, then: &[&str]) -> Option<(String, String)> {
    let out = Command::new(tool).args(args).arg(path).args(then).output().ok()?;
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{tool} {args:?} failed on {}: {stderr}", path.display());
    Some((stdout.into_owned(), stderr.into_owned()))
}

fn run(tool: &str, args: &[&str], path: &Path) -> Option<(String, String)> {
    run_with(tool, args, path, &[])
}

fn skipped(tool: &str) {
    eprintln!("skipped: `{tool}` is not installed (apt-get install ffmpeg flac)");
}

fn tagged(dir: &Path, name: &str, container: Container) -> std::path::PathBuf {
    let path = dir.join(name);
    let tags = Tags::default().with(TagKey::Title, "Café Noir").with(TagKey::Artist, "The Mixers");
    let tags = if container == Container::Wav { tags.with_bext(Bext::default()) } else { tags };
    write(&path, spec(container, SampleFormat::I16, tags), &[vec![0.5; 100], vec![-0.5; 100]], None);
    path
}

#[test]
fn ffprobe_reads_title_and_artist() {
    let dir = tempfile::tempdir().unwrap();
    for (name, container) in [("t.wav", Container::Wav), ("t.flac", Container::Flac)] {
        let path = tagged(dir.path(), name, container);
        let Some((stdout, _)) = run("ffprobe", &["-v", "error", "-show_format"], &path) else {
            return skipped("ffprobe");
        };
        let tags: Vec<&str> = stdout.lines().filter_map(|l| l.strip_prefix("TAG:")).collect();
        let has = |want: &str| tags.iter().any(|t| t.eq_ignore_ascii_case(want));
        assert!(has("title=Café Noir") && has("artist=The Mixers"), "{name}: {tags:?}");
        if container == Container::Wav {
            // ffmpeg's WAV demuxer reports bext's Originator as `encoded_by`.
            assert!(has("encoded_by=mixc"), "{name}: {tags:?}");
        }
    }
}

#[test]
fn ffmpeg_decodes_tagged_files_without_complaint() {
    let dir = tempfile::tempdir().unwrap();
    for (name, container) in [("t.wav", Container::Wav), ("t.flac", Container::Flac)] {
        let path = dir.path().join(name);
        write(&path, spec(container, SampleFormat::I16, release_tags()), &[vec![0.5; 5000], vec![0.0; 5000]], None);
        // Errors only: 16-bit stereo files carry no channel mask (as hound
        // wrote them), and ffmpeg warns that it guessed the layout.
        let Some((_, stderr)) = run_with("ffmpeg", &["-v", "error", "-nostdin", "-i"], &path, &["-f", "null", "-"])
        else {
            return skipped("ffmpeg");
        };
        assert!(stderr.trim().is_empty(), "{name}: {stderr}");
    }
}

#[test]
fn reference_flac_tools_accept_the_comment_block() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.flac");
    write(&path, spec(Container::Flac, SampleFormat::I16, release_tags()), &[vec![0.25; 9000], vec![0.0; 9000]], None);
    if run("flac", &["-t", "-s"], &path).is_none() {
        return skipped("flac");
    }
    let Some((stdout, _)) = run("metaflac", &["--export-tags-to=-"], &path) else {
        return skipped("metaflac");
    };
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[..3], ["TITLE=Night Drive", "ARTIST=The Mixers", "ALBUM=Code Sessions"]);
    assert!(lines.contains(&"ISRC=GBAYE2400123") && lines.contains(&"TRACKNUMBER=3"), "{lines:?}");
}
