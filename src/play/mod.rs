//! Listening: `mixc watch --play`, `mixc play`, `mixc devices`.
//!
//! Three threads, none waiting on another:
//! - the **render thread** runs the `watch` loop ([`crate::watch`]) and
//!   hands each complete render's audio over ([`crate::watch::Outcome::Audio`];
//!   [`feed`], which also decodes a plain audio file for `mixc play`);
//! - the **audio callback** ([`engine::Engine`], driven by an [`output`]) plays
//!   the current [`version::Version`] from its playhead and crossfades
//!   ([`fade`]) to a new one at the same playhead; it never allocates, locks
//!   or frees, and talks to the rest only through lock-free rings;
//! - the **control thread** ([`session`]) reads keys ([`keys`], raw mode
//!   held by [`terminal`]), drives the transport ([`player`], A/B in
//!   [`deck`]), meters what was played ([`live_meter`]) and draws the
//!   status line ([`status`]).
//!
//! A failing edit never reaches the engine: only complete renders become
//! versions, so the last good one keeps playing.

pub mod deck;
pub mod engine;
pub mod fade;
mod feed;
pub mod keys;
pub mod live_meter;
pub mod output;
pub mod player;
pub mod position;
pub mod session;
pub mod status;
pub mod terminal;
pub mod version;

pub use session::{play, Input, PlayOptions};
