//! Planar audio buffers and block views into them.

/// Channels of samples, each `capacity` long; allocated once per render.
#[derive(Debug, Clone)]
pub struct Planar {
    pub chans: Vec<Vec<f32>>,
}

impl Planar {
    pub fn new(channels: usize, capacity: usize) -> Self {
        Planar { chans: vec![vec![0.0; capacity]; channels] }
    }

    pub fn channels(&self) -> usize {
        self.chans.len()
    }

    /// Zeroes the first `frames` frames.
    pub fn clear(&mut self, frames: usize) {
        for c in &mut self.chans {
            c[..frames].fill(0.0);
        }
    }

    /// Calls `f` with mutable views of frames `start..end` of every channel.
    pub fn with_range<R>(&mut self, start: usize, end: usize, f: impl FnOnce(&mut [&mut [f32]]) -> R) -> R {
        match self.chans.as_mut_slice() {
            [a] => f(&mut [&mut a[start..end]]),
            [a, b] => f(&mut [&mut a[start..end], &mut b[start..end]]),
            _ => f(&mut []),
        }
    }
}

/// `dst += gain · src` over the first `frames` frames.
#[inline]
pub fn mix_into(dst: &mut [f32], src: &[f32], gain: f32) {
    if gain == 1.0 {
        for (d, s) in dst.iter_mut().zip(src) {
            *d += *s;
        }
    } else {
        for (d, s) in dst.iter_mut().zip(src) {
            *d += *s * gain;
        }
    }
}
