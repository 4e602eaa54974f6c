//! The one integration-test binary: the `mixc` CLI and library end to end.

mod common;
mod conformance;
mod conformance_signals;
mod diagnostics;
mod meter_cli;
mod render;
