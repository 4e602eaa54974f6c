//! Builds libopus from `libopus/` with `cc` alone. Every published Rust
//! binding builds it through CMake, which a machine with only the Rust
//! toolchain and a C compiler does not have; the source lists below are
//! upstream's own (`*_sources.mk`, copied alongside), floating point, without
//! the optional DNN (DRED, OSCE) parts and without run-time CPU dispatch, so
//! the encoded bytes do not depend on the machine's vector units.

use std::path::Path;

fn sources(root: &Path, makefile: &str, lists: &[&str]) -> Vec<String> {
    let text = std::fs::read_to_string(root.join(makefile)).expect("bundled source list");
    let mut files = Vec::new();
    let mut current: Option<&str> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some((name, _)) = line.split_once('=') {
            current = lists.iter().copied().find(|l| *l == name.trim());
            continue;
        }
        if current.is_some() {
            let file = line.trim_end_matches('\\').trim();
            if file.ends_with(".c") {
                files.push(file.to_string());
            }
        }
        if line.is_empty() {
            current = None;
        }
    }
    files
}

fn main() {
    let root = Path::new("libopus");
    let mut files = sources(root, "opus_sources.mk", &["OPUS_SOURCES", "OPUS_SOURCES_FLOAT"]);
    files.extend(sources(root, "celt_sources.mk", &["CELT_SOURCES"]));
    files.extend(sources(root, "silk_sources.mk", &["SILK_SOURCES", "SILK_SOURCES_FLOAT"]));
    assert!(files.len() > 100, "libopus source lists not understood ({} files)", files.len());
    let mut build = cc::Build::new();
    build
        .include(root.join("include"))
        .include(root.join("celt"))
        .include(root.join("silk"))
        .include(root.join("silk/float"))
        .include(root)
        .define("OPUS_BUILD", None)
        .define("VAR_ARRAYS", None)
        .define("HAVE_LRINT", "1")
        .define("HAVE_LRINTF", "1")
        .define("PACKAGE_VERSION", "\"1.5-mixc\"")
        .warnings(false)
        .opt_level(2);
    for file in &files {
        build.file(root.join(file));
    }
    build.compile("opus");
    println!("cargo:rerun-if-changed=libopus");
    println!("cargo:rerun-if-changed=build.rs");
}
