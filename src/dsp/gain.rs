//! Gain (temporary stub in main).
use super::Processor;
pub struct Gain {
    g: f32,
}
impl Gain {
    pub fn new(db: f64) -> Self {
        Gain { g: super::db_to_gain(db) as f32 }
    }
}
impl Processor for Gain {
    fn prepare(&mut self, _rate: f64, _channels: usize, _max_block: usize) {}
    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        for c in audio.iter_mut() {
            for s in c.iter_mut() {
                *s *= self.g;
            }
        }
    }
    fn reset(&mut self) {}
}
