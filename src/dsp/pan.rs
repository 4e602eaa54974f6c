//! Pan laws (temporary stub in main).
pub fn mono_pan_gains(p: f64) -> (f64, f64) {
    let t = (p + 1.0) * std::f64::consts::FRAC_PI_4;
    (t.cos(), t.sin())
}
pub fn balance_gains(p: f64) -> (f64, f64) {
    if p == 0.0 {
        return (1.0, 1.0);
    }
    let t = (p + 1.0) * std::f64::consts::FRAC_PI_4;
    ((2f64.sqrt() * t.cos()).min(1.0), (2f64.sqrt() * t.sin()).min(1.0))
}
