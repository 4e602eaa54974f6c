//! The built-in `clock` output: a thread that runs the engine at the
//! real-time rate, as a device would, and throws the audio away.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Stream, CLOCK};
use crate::play::engine::Engine;

/// Frames per pull, like a small device buffer.
const PERIOD: usize = 256;

struct Running {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn start(rate: u32, mut engine: Engine) -> Stream {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("mixc-clock-output".into())
        .spawn(move || {
            let mut buffer = vec![0.0f32; PERIOD * 2];
            let started = Instant::now();
            let mut done: u64 = 0;
            while !flag.load(Ordering::Acquire) {
                let due = (started.elapsed().as_secs_f64() * rate as f64) as u64;
                while done + PERIOD as u64 <= due {
                    engine.process(&mut buffer, 2);
                    done += PERIOD as u64;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        })
        .ok();
    Stream { _inner: Box::new(Running { stop, thread }), rate, name: CLOCK.into() }
}
