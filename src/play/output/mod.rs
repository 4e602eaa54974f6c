//! Where the engine's audio goes: the sound card (cpal, with the `play`
//! cargo feature), or the built-in `clock` output, which pulls audio at the
//! real-time rate and discards it (for the keys and meter without a device,
//! and for machines without one).

mod clock;
#[cfg(feature = "play")]
mod sound_card;

use super::engine::Engine;

/// The name of the built-in output.
pub const CLOCK: &str = "clock";

/// Why no output could be opened.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "this mixc was built without sound-card playback\n\
         help: build it with the `play` feature, which needs the ALSA headers \
         (Debian, Ubuntu: `sudo apt-get install libasound2-dev`; Fedora: `alsa-lib-devel`): \
         `cargo install --path . --features play` (PulseAudio and PipeWire play through ALSA's default device), \
         or `--features jack` for JACK too (also `libjack-jackd2-dev`); \
         `--device clock` plays to a real-time clock without sound"
    )]
    NoPlayback,
    #[error("no output device named `{name}`\nhelp: `mixc devices` lists them{}", .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    NoSuchDevice { name: String, suggestion: Option<String> },
    #[error("no output device found\nhelp: `mixc devices` lists what is there; `--device clock` plays without sound")]
    NoDevice,
    #[error("cannot play through `{name}`: {reason}")]
    Device { name: String, reason: String },
}

/// One output `mixc devices` lists.
#[derive(Debug, Clone)]
pub struct DeviceInfo {
    /// What `--device` takes: `host:name`.
    pub name: String,
    pub default: bool,
    /// Rates and channel counts it takes, as text.
    pub detail: String,
}

/// A playing output: audio flows until it is dropped.
pub struct Stream {
    _inner: Box<dyn std::any::Any>,
    /// The rate it runs at.
    pub rate: u32,
    /// The device's name as `--device` takes it.
    pub name: String,
}

/// Every output device there is, the built-in `clock` last.
pub fn devices() -> Vec<DeviceInfo> {
    #[cfg(feature = "play")]
    let cards = sound_card::devices();
    #[cfg(not(feature = "play"))]
    let cards = Vec::new();
    let clock = DeviceInfo {
        name: CLOCK.into(),
        default: false,
        detail: "no sound: pulls audio at the real-time rate (any rate, stereo)".into(),
    };
    cards.into_iter().chain([clock]).collect()
}

/// Opens `device` (the default output when `None`) at `rate` where it can,
/// else at its own rate; builds the engine for the rate chosen with `make`
/// and starts it.
pub fn start(device: Option<&str>, rate: u32, make: impl FnOnce(u32) -> Engine) -> Result<Stream, OutputError> {
    match device {
        Some(CLOCK) => Ok(clock::start(rate, make(rate))),
        #[cfg(feature = "play")]
        _ => sound_card::start(device, rate, make),
        #[cfg(not(feature = "play"))]
        _ => Err(OutputError::NoPlayback),
    }
}

/// Whether this build can play through a sound card.
pub const SOUND_CARD: bool = cfg!(feature = "play");
