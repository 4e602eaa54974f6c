//! Imports and chains across files.

use std::path::Path;

#[test]
fn import_chain_three_files_deep_resolves() {
    let song = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/imports/song.mix");
    let graph = mixc::pipeline::check(&song).expect("the import chain resolves");
    let track = &graph.nodes[graph.find("a").expect("track a")];
    let names: Vec<&str> = track.chain.iter().map(|c| c.spec.name).collect();
    assert_eq!(names, ["highpass", "notch", "peak"]);
    // `low_cut` and `hum` come from the third file; `presence` from the call site.
    assert_eq!(track.chain[0].params.opt(0), Some(60.0));
    assert_eq!(track.chain[1].params.opt(0), Some(50.0));
    assert_eq!(track.chain[2].params.opt(1), Some(1.0));
}

#[test]
fn std_lib_imports_without_files_on_disk() {
    let dir = tempfile::tempdir().expect("temp");
    let song = dir.path().join("s.mix");
    std::fs::write(&song, "import \"std/master.mix\"\nmaster { chain = master_tone(low: +1dB) }\n").expect("write");
    let graph = mixc::pipeline::check(&song).expect("std/master.mix is embedded");
    let master = &graph.nodes[graph.master()];
    assert_eq!(master.chain.iter().map(|c| c.spec.name).collect::<Vec<_>>(), ["low_shelf", "high_shelf"]);
}
