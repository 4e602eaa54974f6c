//! The one integration-test binary: the `mixc` CLI and library end to end.

mod automation;
mod common;
mod diagnostics;
mod examples;
mod imports;
mod qc;
mod langtools;
mod render;
mod watch;
