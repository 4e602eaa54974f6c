//! Parser tests: every LANGUAGE.md example parses into the expected tree, a
//! table of small good and bad inputs, and fuzzing that the parser never panics.

mod cases;
mod fuzz;

use std::path::PathBuf;

use super::ast::*;
use super::parse;
use crate::source::FileId;

const FILE: FileId = FileId(7);

fn language_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/language")
}

/// Every `.mix` file in `tests/language/`, with its text.
fn language_files() -> Vec<(PathBuf, String)> {
    let mut files: Vec<_> = std::fs::read_dir(language_dir())
        .expect("tests/language exists")
        .map(|e| e.expect("readable dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "mix"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable example");
            (p, text)
        })
        .collect();
    files.sort();
    files
}

fn parse_ok(text: &str) -> Module {
    match parse(FILE, text) {
        Ok(m) => m,
        Err(diags) => panic!("{text:?} failed: {:#?}", diags),
    }
}

fn example(name: &str) -> Module {
    parse_ok(&std::fs::read_to_string(language_dir().join(name)).expect("example exists"))
}

fn node<'m>(m: &'m Module, name: &str) -> &'m NodeBlock {
    m.items
        .iter()
        .find_map(|i| match i {
            Item::Node(n) if n.name.as_ref().is_some_and(|n| n.node == name) => Some(n),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no node `{name}`"))
}

fn entry_setting<'m>(entries: &'m [Entry], key: &str) -> &'m Setting {
    entries
        .iter()
        .find_map(|e| match e {
            Entry::Setting(s) if s.key.node == key => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no setting `{key}`"))
}

fn qty(value: f64, unit: Unit, signed: bool) -> ExprKind {
    ExprKind::Quantity(Quantity { value, unit, signed })
}

#[test]
fn language_examples_all_parse() {
    let files = language_files();
    assert!(files.len() >= 3, "LANGUAGE.md has three `.mix` blocks");
    for (path, text) in files {
        if let Err(diags) = parse(FILE, &text) {
            panic!("{} failed: {diags:#?}", path.display());
        }
    }
}

#[test]
fn song_items_in_order() {
    let m = example("song.mix");
    assert_eq!(m.file, FILE);
    let kinds: Vec<&str> = m
        .items
        .iter()
        .map(|i| match i {
            Item::Import(_) => "import",
            Item::Setting(_) => "setting",
            Item::Let(_) => "let",
            Item::Chain(_) => "chain",
            Item::Node(_) => "node",
            Item::Automate(_) => "automate",
            Item::Export(_) => "export",
            Item::Check(_) => "check",
            Item::Album(_) => "album",
            Item::Delivery(_) => "delivery",
        })
        .collect();
    let expected = [
        "import", "import", "setting", "setting", "setting", "setting", "let", "node", "node", "node", "node",
        "automate", "node", "node", "node", "node", "export", "export", "export", "check",
    ];
    assert_eq!(kinds, expected);
}

#[test]
fn song_kick_track() {
    let m = example("song.mix");
    let kick = node(&m, "kick");
    assert_eq!(kick.kind.node, NodeKind::Track);
    assert_eq!(kick.entries.len(), 5);
    let chain = &entry_setting(&kick.entries, "chain").value;
    let ExprKind::Chain(stages) = &chain.kind else { panic!("kick chain is a chain: {chain:?}") };
    assert_eq!(stages.len(), 3, "the chain continues on the line starting with `->`");
    let ExprKind::Call(peak) = &stages[1].kind else { panic!("peak is a call") };
    assert_eq!(peak.name.node, "peak");
    assert_eq!(peak.args[1].value.kind, qty(3.0, Unit::Db, true));
    assert_eq!(peak.args[2].name.as_ref().map(|n| n.node.as_str()), Some("q"));
    let pan = entry_setting(&kick.entries, "pan");
    assert_eq!(pan.value.kind, qty(0.0, Unit::Percent, false));
    let out = entry_setting(&kick.entries, "out");
    assert_eq!(out.value.kind, ExprKind::Name("drums".into()));
}

#[test]
fn song_one_line_track_and_sends() {
    let text = std::fs::read_to_string(language_dir().join("song.mix")).expect("song.mix");
    let m = parse_ok(&text);
    let snare = node(&m, "snare");
    assert_eq!(snare.entries.len(), 2);
    let source = entry_setting(&snare.entries, "source");
    assert_eq!(source.value.kind, ExprKind::Str("stems/snare.flac".into()));
    assert_eq!(&text[source.value.span.start..source.value.span.end], "\"stems/snare.flac\"");
    assert_eq!(&text[source.span.start..source.span.end], "source = \"stems/snare.flac\"");

    let vox = node(&m, "vox");
    let sends: Vec<&SendDecl> = vox
        .entries
        .iter()
        .filter_map(|e| match e {
            Entry::Send(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(sends.len(), 2);
    assert_eq!(sends[0].target.node, "verb");
    assert_eq!(sends[0].tap, None);
    assert_eq!(sends[1].level.kind, qty(-18.0, Unit::Db, true));
    let tap = sends[1].tap.as_ref().expect("pre tap");
    assert_eq!(tap.node, SendTap::Pre);
    assert_eq!(&text[tap.span.start..tap.span.end], "pre");
}

#[test]
fn song_automation() {
    let m = example("song.mix");
    let auto = m
        .items
        .iter()
        .find_map(|i| match i {
            Item::Automate(a) => Some(a),
            _ => None,
        })
        .expect("automate block");
    let path: Vec<&str> = auto.target.iter().map(|s| s.node.as_str()).collect();
    assert_eq!(path, ["vox", "gain"]);
    assert_eq!(auto.points.len(), 4);
    assert_eq!(auto.points[0].position.kind, qty(0.0, Unit::S, false));
    assert_eq!(auto.points[0].value.kind, qty(f64::NEG_INFINITY, Unit::Db, true));
    assert_eq!(auto.points[1].position.kind, qty(500.0, Unit::Ms, false));
    assert_eq!(auto.points[2].position.kind, ExprKind::BarBeat { bar: 17.0, beat: 1.0 });
    assert_eq!(auto.points[3].curve.as_ref().map(|c| c.node.as_str()), Some("smooth"));
    assert!(auto.points[..3].iter().all(|p| p.curve.is_none()));
}

#[test]
fn song_master_exports_and_check() {
    let m = example("song.mix");
    let master = m
        .items
        .iter()
        .find_map(|i| match i {
            Item::Node(n) if n.kind.node == NodeKind::Master => Some(n),
            _ => None,
        })
        .expect("master");
    assert!(master.name.is_none());
    let loudness = entry_setting(&master.entries, "loudness");
    assert_eq!(loudness.value.kind, qty(-14.0, Unit::Lufs, true));

    let exports: Vec<&ExportDecl> = m
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Export(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(exports.len(), 3);
    assert!(exports[0].settings.is_empty());
    assert_eq!(exports[1].settings.len(), 3);
    assert_eq!(exports[1].settings[0].value.kind, qty(44.1, Unit::KHz, false));
    assert_eq!(exports[1].settings[2].value.kind, ExprKind::Name("tpdf".into()));

    let check = m.items.iter().find_map(|i| match i {
        Item::Check(c) => Some(c),
        _ => None,
    });
    let lines = &check.expect("check block").lines;
    assert_eq!(lines.len(), 2);
    let tol = lines[0].tolerance.as_ref().expect("± tolerance");
    assert_eq!(tol.kind, qty(0.5, Unit::Lu, false));
    assert_eq!(lines[1].op.node, CompareOp::Le);
    assert!(lines[1].tolerance.is_none());
}

#[test]
fn vocal_chain_definition() {
    let m = example("vocal_chain.mix");
    let [Item::Chain(def)] = m.items.as_slice() else { panic!("one chain: {:?}", m.items) };
    assert_eq!(def.name.node, "vocal");
    let params: Vec<&str> = def.params.iter().map(|p| p.name.node.as_str()).collect();
    assert_eq!(params, ["presence", "air"]);
    assert_eq!(def.params[0].default.as_ref().map(|d| &d.kind), Some(&qty(1.5, Unit::Db, true)));
    let ExprKind::Chain(stages) = &def.body.kind else { panic!("body is a chain") };
    assert_eq!(stages.len(), 4, "the body starts on the line after `=`");
    let ExprKind::Call(peak) = &stages[2].kind else { panic!("peak is a call") };
    assert_eq!(peak.args[1].value.kind, ExprKind::Name("presence".into()));
}

#[test]
fn album_definition() {
    let m = example("album.mix");
    let Some(Item::Album(album)) = m.items.first() else { panic!("album first") };
    assert_eq!(album.title.node, "Night Drive EP");
    let songs: Vec<&SongDecl> = album
        .entries
        .iter()
        .filter_map(|e| match e {
            Entry::Song(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(songs.len(), 2);
    assert_eq!(songs[0].path.node, "01-intro.mix");
    assert!(songs[0].settings.is_empty());
    assert_eq!(songs[1].settings.len(), 2);
    assert_eq!(songs[1].settings[0].value.kind, qty(0.0, Unit::S, false));
    let gap = entry_setting(&album.entries, "gap");
    assert_eq!(gap.value.kind, qty(2.0, Unit::S, false));
}
