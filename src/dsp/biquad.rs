//! RBJ Audio EQ Cookbook biquads (temporary stub in main).
use super::Processor;
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FilterKind {
    Highpass,
    Lowpass,
    Peak,
    LowShelf,
    HighShelf,
    Notch,
    Bandpass,
    Allpass,
}
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Q(f64),
    Slope(f64),
}
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BiquadSpec {
    pub kind: FilterKind,
    pub freq: f64,
    pub gain_db: f64,
    pub shape: Shape,
}
pub struct Biquad {
    _spec: BiquadSpec,
}
impl Biquad {
    pub fn new(spec: BiquadSpec) -> Self {
        Biquad { _spec: spec }
    }
}
impl Processor for Biquad {
    fn prepare(&mut self, _rate: f64, _channels: usize, _max_block: usize) {}
    fn process(&mut self, _audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {}
    fn reset(&mut self) {}
}
