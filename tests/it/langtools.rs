//! `mixc fmt` and `mixc graph` end to end: every `.mix` file in the repo is
//! formatted, formatting is idempotent and keeps meaning and comments, and
//! every example draws as DOT (accepted by Graphviz when installed) and SVG.

use std::path::{Path, PathBuf};
use std::process::Command;

use mixc::source::FileId;
use mixc::syntax::fmt::{format, without_spans};
use mixc::syntax::trivia;

use crate::common::Project;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.mix` file under the repo's example, library and test folders.
fn all_mix_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "mix") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for dir in ["examples", "std-lib", "tests/language", "tests/diagnostics"] {
        walk(&root().join(dir), &mut out);
    }
    out.sort();
    assert!(out.len() >= 20, "expected the repo's .mix files, found {}", out.len());
    out
}

/// The files that parse: the diagnostics cases with syntax errors are broken on purpose.
fn parsing_files() -> Vec<(PathBuf, String)> {
    all_mix_files()
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read");
            (p, text)
        })
        .filter(|(_, text)| mixc::syntax::parse(FileId(0), text).is_ok())
        .collect()
}

fn mixc(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mixc")).args(args).current_dir(dir).env("NO_COLOR", "1").output().expect("run")
}

#[test]
fn fmt_is_idempotent_and_keeps_meaning_on_every_file() {
    for (path, text) in parsing_files() {
        let once = format(FileId(0), &text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        let twice = format(FileId(0), &once).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        assert_eq!(once, twice, "{}: formatting twice differs from once", path.display());
        let before = mixc::syntax::parse(FileId(0), &text).expect("parses");
        let after = mixc::syntax::parse(FileId(0), &once).expect("formatted text parses");
        assert_eq!(
            without_spans(&format!("{:?}", before.items)),
            without_spans(&format!("{:?}", after.items)),
            "{}: meaning changed",
            path.display()
        );
    }
}

#[test]
fn fmt_keeps_every_comment() {
    for (path, text) in parsing_files() {
        let out = format(FileId(0), &text).expect("formats");
        let texts = |s: &str| trivia::comments(s).into_iter().map(|c| c.text).collect::<Vec<_>>();
        let (before, after) = (texts(&text), texts(&out));
        assert_eq!(before.len(), after.len(), "{}: comment count", path.display());
        assert_eq!(before, after, "{}: comment text", path.display());
    }
}

#[test]
fn fmt_check_passes_on_the_whole_repo() {
    let files: Vec<String> = parsing_files().into_iter().map(|(p, _)| p.to_string_lossy().into_owned()).collect();
    let mut args = vec!["fmt", "--check"];
    args.extend(files.iter().map(String::as_str));
    let out = mixc(&args, &root());
    assert!(
        out.status.success(),
        "mixc fmt --check found unformatted files (run `mixc fmt` on them):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn fmt_check_prints_a_diff_and_fmt_rewrites_in_place() {
    let p = Project::new();
    let file = p.file("song.mix", "rate=48kHz   # session\ntrack a{source=\"a.wav\"}\n");
    let out = p.mixc(&["fmt", "--check", "song.mix"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains("--- song.mix") && diff.contains("+rate = 48kHz  # session"), "diff:\n{diff}");
    assert!(std::fs::read_to_string(&file).expect("read").starts_with("rate=48kHz"), "--check must not write");

    let out = p.mixc(&["fmt", "song.mix"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&file).expect("read");
    assert_eq!(text, "rate = 48kHz  # session\ntrack a { source = \"a.wav\" }\n");
    let leftovers: Vec<_> =
        std::fs::read_dir(p.dir.path()).expect("dir").flatten().filter(|e| e.file_name() != "song.mix").collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
    assert_eq!(p.mixc(&["fmt", "--check", "song.mix"]).status.code(), Some(0));
}

#[test]
fn fmt_refuses_a_file_that_does_not_parse() {
    let p = Project::new();
    let file = p.file("bad.mix", "track {\n  gain = -3dB\n}\n");
    let out = p.mixc(&["fmt", "bad.mix"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.mix") && stderr.contains("does not parse"), "stderr:\n{stderr}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "track {\n  gain = -3dB\n}\n");
}

/// Example songs whose sources exist, so that they check.
fn example_songs() -> Vec<PathBuf> {
    vec![root().join("examples/demo/demo.mix")]
}

fn node_names(song: &Path) -> Vec<String> {
    let graph = mixc::check::check_path(song).expect("example checks");
    graph.nodes.iter().map(|n| n.name.clone()).collect()
}

#[test]
fn graph_dot_is_accepted_by_graphviz() {
    for song in example_songs() {
        let out = mixc(&["graph", &song.to_string_lossy()], &root());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let dot = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(dot.starts_with("digraph mix {"), "{dot}");
        for name in node_names(&song) {
            assert!(dot.contains(&format!("    \"{name}\" [label=")), "{name} missing from:\n{dot}");
        }
        let Ok(mut child) = Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
        else {
            println!("skipped the Graphviz check: `dot` is not installed");
            continue;
        };
        use std::io::Write;
        child.stdin.take().expect("stdin").write_all(dot.as_bytes()).expect("write dot");
        let done = child.wait_with_output().expect("dot runs");
        assert!(done.status.success(), "dot rejected:\n{dot}\n{}", String::from_utf8_lossy(&done.stderr));
    }
}

#[test]
fn graph_svg_parses_with_one_box_per_node() {
    for song in example_songs() {
        let out = mixc(&["graph", &song.to_string_lossy(), "--format", "svg"], &root());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let svg = String::from_utf8_lossy(&out.stdout).into_owned();
        let doc = roxmltree::Document::parse(&svg).expect("SVG is XML");
        let lines: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("tspan")).filter_map(|n| n.text()).collect();
        for name in node_names(&song) {
            let count = lines.iter().filter(|l| **l == name).count();
            assert_eq!(count, 1, "node `{name}` should be drawn once");
        }
    }
}

#[test]
fn graph_png_and_output_file() {
    let song = root().join("examples/demo/demo.mix");
    let p = Project::new();
    let out = mixc(&["graph", &song.to_string_lossy(), "--format", "png", "-o", "routing.png"], p.dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png = std::fs::read(p.path("routing.png")).expect("png written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
}

#[test]
fn graph_draws_sends_dashed_with_level_and_tap() {
    let p = Project::new();
    let tone = vec![vec![0.0f32; 4800]];
    p.wav_int("a.wav", 48000, 16, &tone);
    p.wav_int("b.wav", 48000, 16, &tone);
    p.file(
        "song.mix",
        "track a { source = \"a.wav\", out = drums, send verb = -12dB }\n\
         track b { source = \"b.wav\", send verb = -6dB pre }\n\
         bus drums {}\nbus verb {}\n",
    );
    let out = p.mixc(&["graph", "song.mix"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dot = String::from_utf8_lossy(&out.stdout);
    assert!(dot.contains("\"a\" -> \"drums\";"), "{dot}");
    assert!(dot.contains("\"a\" -> \"verb\" [style=dashed, label=\"-12dB post\"];"), "{dot}");
    assert!(dot.contains("\"b\" -> \"verb\" [style=dashed, label=\"-6dB pre\"];"), "{dot}");
    assert!(dot.contains("\"b\" -> \"master\";"), "{dot}");
}

#[test]
fn graph_reports_mix_errors_with_exit_1() {
    let p = Project::new();
    p.file("song.mix", "bus a { chain = lowpas(5kHz) }\n");
    let out = p.mixc(&["graph", "song.mix"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lowpass"));
}

#[test]
fn editor_grammar_files_are_valid_json() {
    let dir = root().join("editors/vscode");
    for file in ["package.json", "language-configuration.json", "syntaxes/mix.tmLanguage.json"] {
        let text = std::fs::read_to_string(dir.join(file)).expect("editor file exists");
        serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let grammar = std::fs::read_to_string(dir.join("syntaxes/mix.tmLanguage.json")).expect("grammar");
    for keyword in
        ["track", "bus", "master", "chain", "let", "import", "export", "automate", "check", "album", "song", "after"]
    {
        assert!(grammar.contains(keyword), "grammar lacks `{keyword}`");
    }
}
