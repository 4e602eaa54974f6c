//! RBJ Audio EQ Cookbook biquads (stub: to be replaced).
