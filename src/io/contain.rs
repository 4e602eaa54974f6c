//! A decoder library that panics on damaged data must not take mixc down
//! with it: the panic becomes an error naming the file, and its message is
//! kept off the terminal (it would read as a crash of mixc itself).
//!
//! Found by the decoder fuzz target: symphonia 0.5's RIFF reader overflows a
//! shift on a WAVE_FORMAT_EXTENSIBLE header whose channel mask disagrees
//! with its channel count (`tests/it/corpus.rs`, `extensible_mask_overflow`).

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Set while this thread runs decoder code inside [`contain`].
    static CONTAINED: Cell<bool> = const { Cell::new(false) };
}

static QUIET_HOOK: Once = Once::new();

/// Runs `f`; a panic inside it comes back as `Err(message)`. Other threads'
/// panics are reported as before.
pub(super) fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CONTAINED.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let outer = CONTAINED.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(outer));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into())
    })
}

#[cfg(test)]
mod tests {
    use super::contain;

    #[test]
    fn a_panic_becomes_its_message_and_the_next_call_runs() {
        let out: Result<(), String> = contain(|| panic!("shift overflow"));
        assert_eq!(out, Err("shift overflow".to_string()));
        assert_eq!(contain(|| 7), Ok(7));
    }
}
