//! Terminating signals for the commands that write files and end by
//! themselves (render, check, fmt, graph, meter): SIGINT, SIGTERM and SIGHUP
//! remove every temporary output file and exit 128 + the signal's number
//! (130, 143, 129), as shells report a process the signal ended. Outputs
//! already renamed into place are complete and stay; nothing half-written
//! is ever left under an output's name.
//!
//! `watch` and `play` handle Ctrl-C themselves: it ends their loop.

/// Starts the thread that waits for the signals; a failure to install them
/// leaves the default handling (the process ends; a later run removes the
/// temporary files it left).
pub fn clean_up_on_termination() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let _ = std::thread::Builder::new().name("signals".into()).spawn(move || {
            if let Some(signal) = signals.forever().next() {
                mixc::deliver::temp::remove_all_and_hold();
                std::process::exit(128 + signal);
            }
        });
    }
}
