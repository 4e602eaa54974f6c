//! Parser tests.
use super::parse;
use crate::source::FileId;

#[test]
fn examples_parse() {
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/language")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        match parse(FileId(0), &text) {
            Ok(m) => println!("{}: {} items", path.display(), m.items.len()),
            Err(e) => panic!("{}: {:#?}", path.display(), e),
        }
    }
}
