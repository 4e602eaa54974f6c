//! The last stage: what a render or a measurement is shown as — the routing
//! drawn ([`graph`], `mixc graph`), loudness readings as a table or JSON
//! ([`meter`], `mixc meter`). Printing and exit codes are the binary's
//! (`src/cli/`); this module only turns results into text and pictures.

pub mod graph;
pub mod meter;
