//! Gain (stub: to be replaced).
