//! The layering rule of `ARCHITECTURE.md`, kept by reading the sources: data
//! flows one way through the stages, so no module imports a later one, and no
//! two top-level modules import each other; and test-only files are named one
//! way (`tests.rs`, or files under `tests/`, at Rust's default module path).
//!
//! Cheap on purpose: it reads every `src/**/*.rs`, collects each `crate::NAME`
//! path (outside comments) and checks NAME's place in [`ORDER`] against the
//! file's own top-level module. The binary (`main.rs`, `cli.rs`, `cli/`) may
//! use any library module; it reaches them as `mixc::…`, which is not read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every top-level module of the library, earliest stage first. A module may
/// import (`crate::NAME`) only modules listed before it.
const ORDER: &[&str] = &[
    "source",     // spans and files
    "diagnostic", // every message; miette binding
    "syntax",     // text → spanned AST; the formatter
    "dsp",        // DSP kernels and the `Processor` trait they implement
    "processor",  // parameter types, the registry, each family's spec and constructor
    "io",         // audio in: decoding, sample-rate conversion
    "meter",      // BS.1770 loudness, true peak
    "ir",         // `MixGraph`: the checked mix
    "check",      // AST → MixGraph
    "plan",       // MixGraph → Plan
    "cache",      // node outputs kept between renders
    "render",     // the block loop
    "deliver",    // mastering, dither, encoders, tags, QC, atomic writes
    "pipeline",   // one song through the stages
    "album",      // many songs through the same stages
    "report",     // measurements and graphs → text, JSON, pictures
    "watch",      // the hot-reload loop
    "play",       // playback: renders to a sound card, keys, the status line
];

/// The binary's own modules: they may use any library module, and nothing in
/// the library may name them.
const BINARY: &[&str] = &["main", "cli"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `src/**/*.rs`, sorted: its path below `src/` and its text.
fn sources() -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let read = |file: PathBuf| {
        let text = std::fs::read_to_string(&file).expect("read source");
        (file.strip_prefix(src()).expect("under src").to_path_buf(), text)
    };
    files.into_iter().map(read).collect()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("read src").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// `check/chain/bands.rs` → `check`; `diagnostic.rs` → `diagnostic`.
fn top_module(rel: &Path) -> String {
    let first = rel.components().next().expect("non-empty path").as_os_str().to_string_lossy();
    first.strip_suffix(".rs").unwrap_or(&first).to_string()
}

/// The line without its `//` comment (doc comments included). A `//` inside a
/// string literal ends the scan too early, which only ever hides a path.
fn code_of(line: &str) -> &str {
    let mut in_string = false;
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The top-level modules a file's text names through `crate::`, each with
/// its line: `crate::ir::X` gives `ir`, `crate::{ir, plan::Plan}` gives both.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let code: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, code_of(l))).collect();
    for (k, &(line, code_line)) in code.iter().enumerate() {
        let mut rest = code_line;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + "crate::".len()..];
            rest = after;
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue; // `mixcrate::`, `$crate::`
            }
            if let Some(inner) = after.strip_prefix('{') {
                // A group may run over several lines: read to its closing brace.
                let closed = |g: &str| g.matches('}').count() > g.matches('{').count();
                let mut group = String::from(inner);
                for &(_, next) in &code[k + 1..] {
                    if closed(&group) {
                        break;
                    }
                    group.push_str(next);
                }
                for name in group_heads(&group) {
                    found.push((line, name));
                }
            } else {
                let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    found.push((line, name));
                }
            }
        }
    }
    found
}

/// The first name of every item of a `{a, b::c, d::{e, f}}` group (the text
/// after its `{`).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let (mut depth, mut at_item) = (0, true);
    let mut name = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => at_item = true,
            c if depth == 0 && at_item && (c.is_alphanumeric() || c == '_') => name.push(c),
            _ if depth == 0 && at_item && !name.is_empty() => {
                heads.push(std::mem::take(&mut name));
                at_item = false;
            }
            _ => {}
        }
    }
    if at_item && !name.is_empty() {
        heads.push(name);
    }
    heads.retain(|h| h != "self");
    heads
}

/// Every `crate::` reference from one top-level module to another:
/// (from, to) → the `file:line`s that make it.
fn edges() -> BTreeMap<(String, String), Vec<String>> {
    let mut edges: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (rel, text) in sources() {
        let from = top_module(&rel);
        if from == "lib" {
            continue; // the crate root declares every module
        }
        for (line, to) in crate_paths(&text) {
            if to != from {
                edges.entry((from.clone(), to)).or_default().push(format!("src/{}:{line}", rel.display()));
            }
        }
    }
    edges
}

fn rank(module: &str) -> Option<usize> {
    ORDER.iter().position(|m| *m == module).or_else(|| BINARY.contains(&module).then_some(ORDER.len()))
}

#[test]
fn no_module_imports_a_later_stage() {
    let mut problems = Vec::new();
    for (rel, _) in sources() {
        let top = top_module(&rel);
        if top != "lib" && rank(&top).is_none() {
            problems.push(format!("src/{top}: a top-level module missing from ORDER in tests/it/layering.rs"));
        }
    }
    for ((from, to), places) in edges() {
        let (Some(f), t) = (rank(&from), rank(&to)) else { continue };
        let why = match t {
            None => format!("`{to}` is not a top-level module in ORDER"),
            Some(_) if BINARY.contains(&to.as_str()) && !BINARY.contains(&from.as_str()) => {
                format!("the library uses the binary's `{to}`")
            }
            Some(t) if t > f => format!("`{from}` comes before `{to}` in the layering order"),
            Some(_) => continue,
        };
        for place in places {
            problems.push(format!("{place}: `{from}` imports `crate::{to}`: {why}"));
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "layering broken ({} places):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn no_import_loop_between_top_level_modules() {
    let edges = edges();
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
    }
    // For each module, every module it reaches; a loop is a module that reaches itself.
    let mut loops = Vec::new();
    for &start in next.keys() {
        let mut stack = vec![vec![start]];
        let mut seen = std::collections::BTreeSet::new();
        while let Some(path) = stack.pop() {
            let at = path[path.len() - 1];
            for &to in next.get(at).into_iter().flatten() {
                if to == start {
                    // Each loop once: from its alphabetically first module.
                    if path.iter().all(|m| *m >= start) {
                        let first = &edges[&(path[0].to_string(), path.get(1).unwrap_or(&to).to_string())][0];
                        loops.push(format!("{} → {start} (first step at {first})", path.join(" → ")));
                    }
                } else if seen.insert(to) {
                    stack.push([path.clone(), vec![to]].concat());
                }
            }
        }
    }
    assert!(loops.is_empty(), "import loops between top-level modules:\n{}", loops.join("\n"));
}

/// Another top-level module named through `super::` (from `src/a.rs`,
/// `super::b`; from `src/a/b.rs`, `super::super::c`) would hide an arrow from
/// [`crate_paths`]. Inline modules (`mod tests { … }`) are not counted, so
/// inside one this may flag a child that shares a top-level module's name;
/// `crate::…` is the fix either way.
#[test]
fn other_top_level_modules_are_named_through_crate() {
    let mut problems = Vec::new();
    for (rel, text) in sources() {
        let mut depth = rel.components().count();
        if rel.file_name().is_some_and(|n| n == "mod.rs") {
            depth -= 1;
        }
        for (i, line) in text.lines().enumerate() {
            let code = code_of(line);
            let mut rest = code;
            while let Some(at) = rest.find("super::") {
                let run = &rest[at..];
                let ups = run.len() - run.trim_start_matches("super::").len();
                let after = &run[ups..];
                rest = after;
                let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let top_level = ORDER.contains(&name.as_str()) || BINARY.contains(&name.as_str());
                if ups / "super::".len() >= depth && top_level {
                    problems.push(format!("src/{}:{}: write `crate::{name}`", rel.display(), i + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn test_only_files_are_named_one_way() {
    let mut problems = Vec::new();
    for (rel, text) in sources() {
        let in_tests_dir = rel.components().any(|c| c.as_os_str() == "tests");
        let name = rel.file_name().expect("file").to_string_lossy();
        if name.contains("test") && name != "tests.rs" && !in_tests_dir {
            problems.push(format!("src/{}: test-only code goes in `tests.rs` or under `tests/`", rel.display()));
        }
        for (i, line) in text.lines().enumerate() {
            if code_of(line).trim_start().starts_with("#[path") {
                problems.push(format!(
                    "src/{}:{}: `#[path]`: put the module at its default path",
                    rel.display(),
                    i + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_reader_finds_grouped_and_plain_paths() {
    let text = "use crate::ir::Export;\nuse crate::{plan::Plan,\n    render::{self, RenderError},\n    deliver};\n// crate::report in a comment\nlet s = \"x\"; // crate::watch\nuse mixcrate::nothing;\n";
    let found: Vec<String> = crate_paths(text).into_iter().map(|(l, n)| format!("{l}:{n}")).collect();
    assert_eq!(found, ["1:ir", "2:plan", "2:render", "2:deliver"]);
}
