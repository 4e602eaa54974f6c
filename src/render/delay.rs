//! A fixed delay line for latency compensation between parallel paths.

/// Delays a stereo signal by a fixed number of frames.
#[derive(Debug, Clone)]
pub struct DelayLine {
    ring: [Vec<f32>; 2],
    pos: usize,
}

impl DelayLine {
    pub fn new(frames: usize) -> Self {
        DelayLine { ring: [vec![0.0; frames], vec![0.0; frames]], pos: 0 }
    }

    /// Writes `input` in and the delayed signal out to `output`, frame by frame.
    pub fn process(&mut self, ch: usize, input: &[f32], output: &mut [f32], advance: bool) {
        let n = self.ring[ch].len();
        let mut pos = self.pos;
        for (o, i) in output.iter_mut().zip(input) {
            *o = std::mem::replace(&mut self.ring[ch][pos], *i);
            pos += 1;
            if pos == n {
                pos = 0;
            }
        }
        if advance {
            self.pos = pos;
        }
    }
}
