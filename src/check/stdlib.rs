//! The standard library (`std-lib/*.mix`), embedded so an installed `mixc`
//! needs no extra files.

/// `(import path, text)` for every standard-library file.
pub const FILES: &[(&str, &str)] = &[
    ("std/vocal.mix", include_str!("../../std-lib/vocal.mix")),
    ("std/master.mix", include_str!("../../std-lib/master.mix")),
    ("std/drums.mix", include_str!("../../std-lib/drums.mix")),
    ("std/bass.mix", include_str!("../../std-lib/bass.mix")),
    ("std/guitar.mix", include_str!("../../std-lib/guitar.mix")),
    ("std/sends.mix", include_str!("../../std-lib/sends.mix")),
    ("std/delivery.mix", include_str!("../../std-lib/delivery.mix")),
];

/// The text of `std/NAME.mix`, if it exists.
pub fn get(path: &str) -> Option<&'static str> {
    let path = path.strip_suffix('/').unwrap_or(path);
    FILES.iter().find(|(p, _)| *p == path || p.trim_end_matches(".mix") == path).map(|(_, t)| *t)
}
