//! `mixc meter FILE... [--json]`: measures each file and prints the table or
//! JSON of `mixc::report::meter`.

use std::path::PathBuf;

use mixc::meter;
use mixc::report::meter::{json, table, Entry};

/// Measures every file; returns the exit code.
pub fn meter(files: &[PathBuf], as_json: bool) -> u8 {
    let mut failed = false;
    let entries: Vec<Entry> = files
        .iter()
        .map(|path| {
            let measured = meter::measure_file(path).map_err(|e| {
                // Named now, on stderr, so the other files' results still print.
                eprintln!("error: {e}");
                failed = true;
                e.to_string()
            });
            Entry::new(path, measured)
        })
        .collect();
    if as_json {
        match json(&entries) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: cannot write JSON: {e}");
                return 2;
            }
        }
    } else {
        print!("{}", table(&entries));
    }
    if failed {
        2
    } else {
        0
    }
}
