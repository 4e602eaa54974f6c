//! The one integration-test binary: the `mixc` CLI and library end to end.

mod album;
mod automation;
mod common;
mod conformance;
mod conformance_signals;
mod corpus;
mod cover;
mod delivery;
mod diagnostics;
mod dither;
mod examples;
mod fuzz;
mod fuzz_graphs;
mod help;
mod imports;
#[cfg(feature = "jack")]
mod jack_capture;
mod langtools;
mod layering;
mod long_programme;
mod lossy;
mod mastering;
mod mastering_eq;
mod meter_cli;
mod opus;
mod play_device;
mod play_keys;
mod preview;
mod qc;
mod render;
mod robustness;
mod running;
mod stdlib;
mod vorbis;
mod watch;
mod watch_soak;
