//! Limiter tests: the ceiling invariant, true peaks, latency and alignment.
