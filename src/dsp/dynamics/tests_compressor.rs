//! Compressor, expander, gate and de-esser tests against analytic expectations.
