//! Small cases as data: values and what they parse to, whole inputs that
//! must parse, and mistakes with the message and the exact text they point at.

use super::*;
use crate::diagnostic::ErrorKind;

/// Parses `x = <value>` and returns the value.
fn value(src: &str) -> Expr {
    let text = format!("x = {src}\n");
    let m = parse_ok(&text);
    match m.items.as_slice() {
        [Item::Setting(s)] => s.value.clone(),
        other => panic!("{src:?} is not one setting: {other:?}"),
    }
}

fn call_of(e: &Expr) -> &Call {
    match &e.kind {
        ExprKind::Call(c) => c,
        other => panic!("not a call: {other:?}"),
    }
}

#[test]
fn values() {
    use NoteModifier::*;
    use Unit::*;
    let frac = |num, den, modifier| ExprKind::Fraction { num, den, modifier };
    let cases: &[(&str, ExprKind)] = &[
        ("-3dB", qty(-3.0, Db, true)),
        ("+2.5dB", qty(2.5, Db, true)),
        ("-inf dB", qty(f64::NEG_INFINITY, Db, true)),
        ("-inf\tdB", qty(f64::NEG_INFINITY, Db, true)),
        ("-infdB", qty(f64::NEG_INFINITY, Db, true)),
        ("-inf", qty(f64::NEG_INFINITY, None, true)),
        ("2.5kHz", qty(2.5, KHz, false)),
        ("48kHz", qty(48.0, KHz, false)),
        ("1m30s", qty(90.0, S, false)),
        ("2m", qty(2.0, Min, false)),
        ("1m30s250ms", qty(90.25, S, false)),
        ("2h", qty(2.0, Hour, false)),
        ("1h20m", qty(4800.0, S, false)),
        ("35%", qty(35.0, Percent, false)),
        ("-30%", qty(-30.0, Percent, true)),
        ("4", qty(4.0, None, false)),
        ("0.707", qty(0.707, None, false)),
        ("32f", qty(32.0, Float, false)),
        ("-14LUFS", qty(-14.0, Lufs, true)),
        ("1LU", qty(1.0, Lu, false)),
        ("-1dBTP", qty(-1.0, Dbtp, true)),
        ("96bpm", qty(96.0, Bpm, false)),
        ("5ms", qty(5.0, Ms, false)),
        ("30Hz", qty(30.0, Hz, false)),
        ("-3dBFS", qty(-3.0, Unknown("dBFS".into()), true)),
        ("5sec", qty(5.0, Unknown("sec".into()), false)),
        ("3db", qty(3.0, Unknown("db".into()), false)),
        ("17:1", ExprKind::BarBeat { bar: 17.0, beat: 1.0 }),
        ("17:3.5", ExprKind::BarBeat { bar: 17.0, beat: 3.5 }),
        ("1/8", frac(1, 8, Plain)),
        ("1/4.", frac(1, 4, Dotted)),
        ("1/8t", frac(1, 8, Triplet)),
        ("4/4", frac(4, 4, Plain)),
        ("\"a\\\"b\\\\c\\n\"", ExprKind::Str("a\"b\\c\n".into())),
        ("\"±{n}\"", ExprKind::Str("±{n}".into())),
        ("tpdf", ExprKind::Name("tpdf".into())),
        ("master", ExprKind::Name("master".into())),
        ("information", ExprKind::Name("information".into())),
    ];
    for (src, want) in cases {
        assert_eq!(&value(src).kind, want, "value {src:?}");
    }
}

#[test]
fn value_spans_cover_the_text() {
    for src in ["-inf dB", "1m30s", "[1, 2]", "a -> b", "c: compressor(ratio: 4)", "\"x\"", "1/4."] {
        let e = value(src);
        assert_eq!((e.span.start, e.span.end), (4, 4 + src.len()), "{src:?}");
        assert_eq!(e.span.file, FILE);
    }
}

#[test]
fn chains_calls_and_lists() {
    let e = value("comp: compressor(threshold: -18dB, ratio: 4) -> glue() -> drums");
    let ExprKind::Chain(stages) = &e.kind else { panic!("chain") };
    let comp = call_of(&stages[0]);
    assert_eq!(comp.label.as_ref().map(|l| l.node.as_str()), Some("comp"));
    assert_eq!(comp.name.node, "compressor");
    assert_eq!((stages[0].span.start, comp.args_span.start), (4, 20));
    assert!(call_of(&stages[1]).args.is_empty());
    assert_eq!(stages[2].kind, ExprKind::Name("drums".into()));

    let c = value("peak(\n  3kHz,\n  q: 0.9,   # comment\n)");
    let peak = call_of(&c);
    assert_eq!(peak.args.len(), 2, "newlines and a trailing comma inside `( )`");
    assert!(peak.args[0].name.is_none());

    let l = value("[100Hz,\n 1kHz,]");
    assert!(matches!(&l.kind, ExprKind::List(items) if items.len() == 2));
    let nested = value("f(key: kick -> highpass(100Hz), [1, [2]])");
    assert_eq!(call_of(&nested).args.len(), 2);
}

/// Whole inputs that must parse, with the number of items they hold.
#[test]
fn good_inputs() {
    let cases: &[(&str, usize)] = &[
        ("", 0),
        ("# only a comment", 0),
        ("rate = 48kHz", 1),
        ("rate = 48kHz; tempo = 96bpm\n", 2),
        ("rate = 48kHz\r\ntempo = 96bpm\r\n", 2),
        ("\n\n  gain = -3dB   # trailing comment\n\n", 1),
        ("let x =\n  -3dB\n", 1),
        ("x = a ->\n b\n  -> c", 1),
        ("chain c = a -> b\n", 1),
        ("chain c() = a\n", 1),
        ("chain c(\n  a,\n  b = 2,\n) = f(a, b)\n", 1),
        ("track a {}\nbus b {\n}\nmaster{}\n", 3),
        ("track a { x = 1; y = 2, z = 3 }", 1),
        ("track a {\n\n  send v = -3dB post\n  send w = -6dB\n}", 1),
        ("automate a.b.c { 0s 0dB; 1s -3dB hold }", 1),
        ("automate a.b {\n  0s -inf dB smooth\n  17:3.5 -6dB\n}", 1),
        ("check {\n  a <= 1\n  b >= 2\n  c < 3\n  d > 4\n  e = 5 +- 1\n}", 1),
        ("export \"a.wav\" {}\nexport \"b.wav\"", 2),
        ("album \"A\" { song \"a.mix\"\n song \"b.mix\" { gap = 0s } }", 1),
        ("import \"std/x.mix\"", 1),
        ("tracks = 3\nchains = 4\nmasterful = 5", 3),
        ("x = \"# not a comment\"", 1),
    ];
    for (src, items) in cases {
        assert_eq!(parse_ok(src).items.len(), *items, "{src:?}");
    }
}

#[test]
fn settings_operators_and_tolerance() {
    let m = parse_ok("check { loudness = -14LUFS ± 0.5LU; peak <= -1dBTP }");
    let [Item::Check(check)] = m.items.as_slice() else { panic!("check") };
    assert_eq!(check.lines[0].op.node, CompareOp::Eq);
    assert_eq!(check.lines[0].tolerance.as_ref().map(|t| t.span.start), Some(30));
    assert_eq!(check.lines[1].op.node, CompareOp::Le);
    assert_eq!((check.lines[1].op.span.start, check.lines[1].op.span.end), (42, 44));
}

/// A mistake, what the message expects and finds, and the text it points at
/// as byte offsets; zero-width at the end of a line, or just after the last
/// text when the file ended too soon.
struct Bad {
    src: &'static str,
    expected: &'static str,
    found: &'static str,
    at: (usize, usize),
}

const VALUE: &str = "a value such as `-3dB` or `\"file.wav\"`";

#[rustfmt::skip]
const BAD: &[Bad] = &[
    Bad { src: "gain = \n", expected: VALUE, found: "end of line", at: (7, 7) },
    Bad { src: "gain =", expected: VALUE, found: "end of file", at: (6, 6) },
    Bad { src: "track a {\n  gain =\n  pan = 0%\n}", expected: VALUE, found: "end of line", at: (18, 18) },
    Bad { src: "track kick {\n  gain = -3dB\n", expected: "`}`", found: "end of file", at: (26, 26) },
    Bad { src: "x = peak(60Hz, +3dB\ny = 1", expected: "`,` or `)`", found: "`y`", at: (20, 21) },
    Bad { src: "x = [1, 2\n", expected: "`]`", found: "end of file", at: (9, 9) },
    Bad { src: "source = \"stems/kick.wav\n", expected: "a closing `\"`", found: "end of line", at: (24, 24) },
    Bad { src: "track { }", expected: "a name such as `kick`", found: "`{`", at: (6, 7) },
    Bad { src: "bus {}", expected: "a name such as `kick`", found: "`{`", at: (4, 5) },
    Bad { src: "track kick\n", expected: "`{`", found: "end of line", at: (10, 10) },
    Bad { src: "track a { gain = -3dB )\n}", expected: "a newline, `,` or `;`", found: "`)`", at: (22, 23) },
    Bad { src: "track a { source = \"a\" out = b }", expected: "a newline, `,` or `;`", found: "`out`", at: (23, 26) },
    Bad { src: "rate = 48kHz tempo = 96bpm", expected: "end of line", found: "`tempo`", at: (13, 18) },
    Bad { src: "x = 3 dB", expected: "end of line", found: "`dB`", at: (6, 8) },
    Bad { src: "x = a ->\n}", expected: "a processor such as `lowpass(4kHz)`", found: "`}`", at: (9, 10) },
    Bad { src: "automate vox { 0s 0dB }", expected: "a dotted target such as `vox.gain`", found: "`vox`", at: (9, 12) },
    Bad { src: "automate a.b { 0s }", expected: VALUE, found: "`}`", at: (18, 19) },
    Bad { src: "gain = -", expected: "a number", found: "end of file", at: (8, 8) },
    Bad { src: "x = 1/0", expected: "a note length such as `1/8`", found: "a zero denominator", at: (6, 7) },
    Bad { src: "x = 1/99999999999", expected: "a whole number below 4294967296", found: "`99999999999`", at: (6, 17) },
    Bad {
        src: "x = 1e5",
        expected: "a number written out in full (mixc reads no exponents such as `1e9`)",
        found: "`1e5`",
        at: (4, 7),
    },
    Bad {
        src: "x = 1e9dB",
        expected: "a number written out in full (mixc reads no exponents such as `1e9`)",
        found: "`1e9dB`",
        at: (4, 9),
    },
    Bad { src: "x = 1m30dB", expected: "a compound time such as `1h20m` or `1m30s`", found: "`1m30dB`", at: (4, 10) },
    Bad { src: "x = \"a\\qb\"", expected: "an escape such as `\\\"`, `\\\\`, `\\n` or `\\t`", found: "`\\q`", at: (6, 8) },
    Bad { src: "}", expected: "a statement such as `track NAME { ... }` or `key = value`", found: "`}`", at: (0, 1) },
    Bad { src: "send x = 3dB", expected: "a statement such as `track NAME { ... }` or `key = value`", found: "`send`", at: (0, 4) },
    Bad { src: "track a { send v -3dB }", expected: "`=`", found: "`-`", at: (17, 18) },
    Bad { src: "x = f(a:)", expected: VALUE, found: "`)`", at: (8, 9) },
    Bad { src: "import\n", expected: "a string such as `\"file.wav\"`", found: "end of line", at: (6, 6) },
    Bad { src: "check { a = 1 ± }", expected: VALUE, found: "`}`", at: (17, 18) },
    Bad { src: "let = 3", expected: "a name for the constant, such as `vox_level`", found: "`=`", at: (4, 5) },
    Bad { src: "chain = a", expected: "a name for the chain, such as `vocal`", found: "`=`", at: (6, 7) },
    Bad { src: "x -> 3", expected: "`=`", found: "`->`", at: (2, 4) },
    Bad { src: "x = \"±\" ±", expected: VALUE, found: "end of file", at: (11, 11) },
];

#[test]
fn bad_inputs() {
    for bad in BAD {
        let diags = match parse(FILE, bad.src) {
            Ok(m) => panic!("{:?} parsed: {m:?}", bad.src),
            Err(d) => d,
        };
        let d = &diags[0];
        let ErrorKind::Syntax { expected, found } = &d.kind else { panic!("{:?}: {d:?}", bad.src) };
        assert_eq!(
            (expected.as_str(), found.as_str(), (d.span.start, d.span.end)),
            (bad.expected, bad.found, bad.at),
            "{:?}",
            bad.src
        );
        assert_eq!(d.span.file, FILE);
    }
}

#[test]
fn notes_point_at_what_was_left_open() {
    let note = |src: &str| parse(FILE, src).expect_err("fails").remove(0).notes.remove(0);
    let (span, text) = note("track kick {\n  gain = -3dB\n");
    assert_eq!((span.start, text.as_str()), (11, "this `{` is not closed"));
    let (span, text) = note("x = peak(60Hz, +3dB\ny = 1");
    assert_eq!((span.start, text.as_str()), (8, "this `(` is not closed"));
    let (span, text) = note("source = \"stems/kick.wav\n");
    assert_eq!((span.start, text.as_str()), (9, "the string starts here"));
}

#[test]
fn several_bad_items_are_all_reported() {
    let diags = parse(FILE, "a = 1/0\nb = 2\nc = \"\\q\"\n").expect_err("two bad items");
    let starts: Vec<usize> = diags.iter().map(|d| d.span.start).collect();
    assert_eq!(starts, [6, 19]);
}

#[test]
fn nesting_too_deep_is_an_error_not_a_crash() {
    let src = format!("x = {}1{}", "[".repeat(5000), "]".repeat(5000));
    let diags = parse(FILE, &src).expect_err("too deep");
    assert_eq!(diags[0].span.start, 4 + 32);
    assert!(parse(FILE, &format!("x = {}1{}", "f(".repeat(30), ")".repeat(30))).is_ok());
}

#[test]
fn rendered_error_shows_both_ends_of_an_unclosed_block() {
    use crate::diagnostic::Report;
    use crate::source::SourceMap;
    let src = "track kick {\n  gain = -3dB\n";
    let mut sources = SourceMap::new();
    let id = sources.add("song.mix", "song.mix", src);
    let diagnostics = parse(id, src).expect_err("unclosed");
    let text = Report { sources, diagnostics }.render_plain(80);
    for want in ["syntax error: expected `}`, found end of file", "this `{` is not closed", "╰── expected `}`"] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }
}
