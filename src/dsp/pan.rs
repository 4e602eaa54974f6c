//! Pan laws (stub: to be replaced).
