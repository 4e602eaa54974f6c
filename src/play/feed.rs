//! The threads that feed a listening session: the `watch` loop's renders,
//! or one audio file decoded. Each sends what it has to the control loop
//! and never waits for it.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;

use crate::deliver::mastering::Programme;
use crate::watch::{self, Outcome, Wake, WatchOptions};

/// What reaches the control loop from the other threads.
pub(super) enum Event {
    Outcome(Outcome),
    Decoded(Result<Programme, String>),
    Loudness(u32, Option<f64>),
    /// The render thread has stopped (an error when it could not watch).
    Ended(Option<String>),
}

/// The render thread: `watch` with every outcome sent to the control loop.
pub(super) fn spawn_renders(
    file: PathBuf,
    options: WatchOptions,
    stop: Arc<AtomicBool>,
    tx: Sender<Event>,
) -> (Sender<Wake>, std::thread::JoinHandle<()>) {
    let (wake_tx, wake_rx) = channel::<Sender<Wake>>();
    let thread = std::thread::spawn(move || {
        let events = tx.clone();
        let mut report = move |outcome| {
            let _ = events.send(Event::Outcome(outcome));
        };
        let on_start = |w| {
            let _ = wake_tx.send(w);
        };
        let result = watch::watch(&file, options, stop, on_start, &mut report);
        let _ = tx.send(Event::Ended(result.err().map(|e| e.to_string())));
    });
    // `watch` hands over its sender before the first render; if it failed
    // before that, a dead sender serves (the `Ended` event says why).
    let wake = wake_rx.recv().unwrap_or_else(|_| channel().0);
    (wake, thread)
}

/// Decodes an audio file on its own thread, at its own rate (the device
/// rate is chosen from it; a device that lacks it gets it converted).
pub(super) fn spawn_decode(file: PathBuf, tx: Sender<Event>) {
    std::thread::spawn(move || {
        let decoded = (|| -> Result<Programme, String> {
            let mut decoder = crate::io::decode::Decoder::open_any(&file).map_err(|e| e.to_string())?;
            let (rate, channels) = (decoder.info().rate, decoder.info().channels);
            let mut programme = Programme::new(rate, channels);
            let mut buffers = vec![vec![0.0f32; 16_384]; channels];
            loop {
                let mut views: Vec<&mut [f32]> = buffers.iter_mut().map(|b| b.as_mut_slice()).collect();
                let n = decoder.read(&mut views).map_err(|e| e.to_string())?;
                if n == 0 {
                    break;
                }
                let chunk: Vec<&[f32]> = buffers.iter().map(|b| &b[..n]).collect();
                programme.push(&chunk);
            }
            Ok(programme)
        })();
        let _ = tx.send(Event::Decoded(decoded));
    });
}
