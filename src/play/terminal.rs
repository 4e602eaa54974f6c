//! Raw mode for the keys, restored on every way out: normal return, `q`,
//! Ctrl-C (a key in raw mode), SIGINT from elsewhere (the loop sees the stop
//! flag and returns), and panics (the hook restores before the message).

use std::io::{IsTerminal, Write};

use crossterm::{cursor, execute, terminal};

/// Holds the terminal in raw mode until dropped.
pub struct RawTerminal {
    _private: (),
}

impl RawTerminal {
    /// Raw mode when both standard input and error are a terminal; `None`
    /// otherwise (piped, CI): playback then runs without keys.
    pub fn enter() -> Option<RawTerminal> {
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return None;
        }
        terminal::enable_raw_mode().ok()?;
        let _ = execute!(std::io::stderr(), cursor::Hide);
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        Some(RawTerminal { _private: () })
    }

    /// Runs `f` with the terminal in its normal mode (for printing
    /// multi-line text such as diagnostics), then goes back to raw mode.
    pub fn cooked<T>(&self, f: impl FnOnce() -> T) -> T {
        let _ = terminal::disable_raw_mode();
        let result = f();
        let _ = terminal::enable_raw_mode();
        result
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        restore();
        // Later panics print as usual (the hook's restore is then a no-op).
    }
}

fn restore() {
    let mut err = std::io::stderr();
    let _ = execute!(err, terminal::Clear(terminal::ClearType::CurrentLine), cursor::Show);
    let _ = write!(err, "\r");
    let _ = terminal::disable_raw_mode();
}

/// The terminal's width in columns (80 when unknown).
pub fn width() -> usize {
    terminal::size().map_or(80, |(w, _)| w as usize)
}
