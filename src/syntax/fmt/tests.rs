//! Before/after cases for the formatter: each pair is (input, expected output).

use super::format;
use crate::source::FileId;

fn fmt(text: &str) -> String {
    match format(FileId(0), text) {
        Ok(out) => out,
        Err(e) => panic!("format failed on {text:?}: {e:?}"),
    }
}

const CASES: &[(&str, &str)] = &[
    // Spacing around `=`, `,`, `->` and `:` is normalised.
    ("rate=48kHz\n", "rate = 48kHz\n"),
    ("let x   =   peak( 1kHz ,+3dB,q:1.0 )->lowpass(2kHz)\n", "let x = peak(1kHz, +3dB, q: 1.0) -> lowpass(2kHz)\n"),
    // `=` aligned across consecutive settings; a blank line ends the run.
    ("title = \"x\"\nrate = 48kHz\n\nmeter = 4/4\n", "title = \"x\"\nrate  = 48kHz\n\nmeter = 4/4\n"),
    // Blank lines collapse to one; leading and trailing ones go.
    ("\n\nrate = 48kHz\n\n\n\ntempo = 96bpm\n\n\n", "rate = 48kHz\n\ntempo = 96bpm\n"),
    // Blocks: 4-space indentation, `=` aligned, `;` and `,` become line breaks.
    (
        "track kick {\n  source = \"k.wav\"; gain = -2dB\n        out=drums\n}\n",
        "track kick {\n    source = \"k.wav\"\n    gain   = -2dB\n    out    = drums\n}\n",
    ),
    // A one-line block stays on one line.
    ("track snare {source=\"s.flac\",out=drums}\n", "track snare { source = \"s.flac\", out = drums }\n"),
    // ... unless it passes 100 columns.
    (
        "track snare { source = \"stems/a-very-long-file-name-for-the-snare.flac\", out = drums, gain = -3dB, pan = 10% }\n",
        "track snare {\n    source = \"stems/a-very-long-file-name-for-the-snare.flac\"\n    out    = drums\n    gain   = -3dB\n    pan    = 10%\n}\n",
    ),
    // The `{` of consecutive one-line blocks lines up.
    (
        "bus verb { chain = reverb() }\nbus delay { chain = delay() }\n",
        "bus verb  { chain = reverb() }\nbus delay { chain = delay() }\n",
    ),
    // Sends align among themselves, apart from settings.
    (
        "track v {\n    gain = 0dB\n    send verb = -12dB\n    send delay = -18dB   pre\n}\n",
        "track v {\n    gain = 0dB\n    send verb  = -12dB\n    send delay = -18dB pre\n}\n",
    ),
    // End-of-line comments share a column within a run.
    ("a = 1 # one\nbbb = 2      # two\n", "a   = 1  # one\nbbb = 2  # two\n"),
    ("a = 1          # one\nbbb = 2      # two\n", "a   = 1      # one\nbbb = 2      # two\n"),
    // Own-line comments keep their place and take the block's indentation.
    (
        "# head\n\ntrack a {\n# inside\n  gain = 0dB\n      # last\n}\n",
        "# head\n\ntrack a {\n    # inside\n    gain = 0dB\n    # last\n}\n",
    ),
    // Author's chain breaks are kept, continuation under the first stage.
    (
        "bus b {\n  chain = a()\n  -> b()  # why b\n}\n",
        "bus b {\n    chain = a()\n            -> b()  # why b\n}\n",
    ),
    // A chain past 100 columns breaks before the `->` that overflows.
    (
        "track kick { source = \"k.wav\"\nchain = highpass(30Hz) -> peak(60Hz, +3dB, q: 1.0) -> compressor(threshold: -18dB, ratio: 4, attack: 5ms, release: 80ms)\n}\n",
        "track kick {\n    source = \"k.wav\"\n    chain  = highpass(30Hz) -> peak(60Hz, +3dB, q: 1.0)\n             -> compressor(threshold: -18dB, ratio: 4, attack: 5ms, release: 80ms)\n}\n",
    ),
    // A long chain definition moves its body to the next line.
    (
        "chain vocal_eq(presence = +1.5dB, air = +1dB) = highpass(80Hz) -> peak(300Hz, -2dB, q: 1.2) -> high_shelf(10kHz, air)\n",
        "chain vocal_eq(presence = +1.5dB, air = +1dB) =\n    highpass(80Hz) -> peak(300Hz, -2dB, q: 1.2) -> high_shelf(10kHz, air)\n",
    ),
    // Automation: one breakpoint a line, padded columns.
    (
        "automate vox.gain {\n0s -inf  dB\n500ms 0dB\n17:3 -6dB smooth\n}\n",
        "automate vox.gain {\n    0s     -inf dB\n    500ms  0dB\n    17:3   -6dB     smooth\n}\n",
    ),
    // `check`: operators align with `=`; `+-` is kept as written.
    (
        "check {\nloudness = -14LUFS +-0.5LU\ntrue_peak<=-1dBTP\n}\n",
        "check {\n    loudness  = -14LUFS +- 0.5LU\n    true_peak <= -1dBTP\n}\n",
    ),
    // A value the author started on the next line stays there.
    ("let x =\n  peak(1kHz, +1dB)\n", "let x =\n    peak(1kHz, +1dB)\n"),
    // Exports: a bodyless one stays bare; `{}` aligns among one-line bodies.
    (
        "export \"a.wav\"\nexport \"long-name.wav\" {bits=16}\nexport \"b.flac\" { bits = 24 }\n",
        "export \"a.wav\"\nexport \"long-name.wav\" { bits = 16 }\nexport \"b.flac\"        { bits = 24 }\n",
    ),
    // Strings and `#` inside them are untouched.
    ("title = \"a # b  c\"   # real\n", "title = \"a # b  c\"   # real\n"),
];

#[test]
fn before_and_after() {
    for (before, after) in CASES {
        assert_eq!(fmt(before), *after, "formatting {before:?}");
        assert_eq!(fmt(after), *after, "not idempotent on {after:?}");
    }
}

#[test]
fn refuses_a_file_that_does_not_parse() {
    assert!(matches!(format(FileId(0), "track {\n"), Err(super::FmtError::Syntax(_))));
}

#[test]
fn without_spans_blanks_every_span() {
    let a = "X { span: Span { file: FileId(0), start: 1, end: 2 }, y: 3 }";
    assert_eq!(super::without_spans(a), "X { span: Span, y: 3 }");
}
