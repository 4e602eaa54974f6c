//! Property tests: the parser returns `Ok` or diagnostics on any input, never panics,
//! and every diagnostic span lies inside the text on character boundaries.

use proptest::prelude::*;

use super::*;

fn check_never_panics(text: &str) {
    if let Err(diags) = parse(FILE, text) {
        assert!(!diags.is_empty(), "an error comes with at least one diagnostic");
        for d in &diags {
            let spans = std::iter::once(d.span).chain(d.notes.iter().map(|(s, _)| *s));
            for s in spans {
                assert!(s.start <= s.end && s.end <= text.len(), "span {s:?} in {text:?}");
                assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            }
        }
    }
}

/// One edit of a text: insert, delete or replace a character at a place.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, char),
    Delete(usize),
    Replace(usize, char),
}

/// Characters that matter to the grammar, so mutations hit interesting shapes.
const SHAPE_CHARS: &[char] = &[
    '{', '}', '(', ')', '[', ']', '"', '\\', '#', '\n', '\r', ',', ';', ':', '=', '<', '>', '-', '+', '.', '/', '%',
    '±', ' ', '\t', '0', '9', 'a', 'd', 'B', 't',
];

fn edit() -> impl Strategy<Value = Edit> {
    let ch = prop_oneof![3 => proptest::sample::select(SHAPE_CHARS), 1 => any::<char>()];
    prop_oneof![
        (any::<usize>(), ch.clone()).prop_map(|(at, c)| Edit::Insert(at, c)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), ch).prop_map(|(at, c)| Edit::Replace(at, c)),
    ]
}

/// The char boundary nearest below `at` (taken modulo the text length).
fn boundary(text: &str, at: usize) -> usize {
    let mut i = at % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &mut String, edit: &Edit) {
    match *edit {
        Edit::Insert(at, c) => {
            let i = boundary(text, at);
            text.insert(i, c);
        }
        Edit::Delete(at) | Edit::Replace(at, _) => {
            let i = boundary(text, at);
            if i < text.len() {
                text.remove(i);
            }
            if let Edit::Replace(_, c) = *edit {
                text.insert(i, c);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        check_never_panics(&text);
    }

    #[test]
    fn shaped_text_never_panics(chars in proptest::collection::vec(proptest::sample::select(SHAPE_CHARS), 0..120)) {
        let text: String = chars.into_iter().collect();
        check_never_panics(&text);
    }

    #[test]
    fn mutated_examples_never_panic(which in any::<usize>(), edits in proptest::collection::vec(edit(), 1..12)) {
        let files = language_files();
        let mut text = files[which % files.len()].1.clone();
        for e in &edits {
            apply(&mut text, e);
        }
        check_never_panics(&text);
    }
}
