//! The status line's meter: what the device was actually given (after the
//! crossfades and A/B gains), metered by the same BS.1770 meter as every
//! file, on the control thread, from the engine's played-audio ring.

use crate::meter::Meter;

/// Momentary and short-term loudness and the true peak of what played.
pub struct LiveMeter {
    meter: Option<Meter>,
    left: Vec<f32>,
    right: Vec<f32>,
}

/// One reading for the status line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// LUFS; −∞ for silence.
    pub momentary: f64,
    pub short_term: f64,
    /// Highest true peak since the last reset (dBTP); `None` for silence.
    pub true_peak: Option<f64>,
}

impl LiveMeter {
    pub fn new(rate: u32) -> LiveMeter {
        LiveMeter { meter: Meter::new(2, rate).ok(), left: Vec::new(), right: Vec::new() }
    }

    /// Meters interleaved stereo frames.
    pub fn feed(&mut self, interleaved: &[f32]) {
        let Some(meter) = &mut self.meter else { return };
        self.left.clear();
        self.right.clear();
        for frame in interleaved.chunks_exact(2) {
            self.left.push(frame[0]);
            self.right.push(frame[1]);
        }
        if !self.left.is_empty() {
            meter.add(&[&self.left, &self.right]);
        }
    }

    /// After a seek: the windows start again, and so does the peak hold.
    pub fn reset(&mut self) {
        if let Some(m) = &mut self.meter {
            m.reset();
        }
    }

    pub fn reading(&self) -> Reading {
        match &self.meter {
            Some(m) => {
                Reading { momentary: m.momentary(), short_term: m.short_term(), true_peak: m.finish().true_peak_dbtp }
            }
            None => Reading { momentary: f64::NEG_INFINITY, short_term: f64::NEG_INFINITY, true_peak: None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_scale_1khz_sine_on_both_channels_reads_0_lufs_and_0_dbtp() {
        // BS.1770: a 0 dBFS 1 kHz sine on one channel reads −3.01 LUFS; on
        // both channels of a pair, twice the power: 0.0 LUFS.
        let rate = 48_000;
        let mut m = LiveMeter::new(rate);
        let frames = rate as usize * 4;
        let mut interleaved = Vec::with_capacity(frames * 2);
        for i in 0..frames {
            let x = (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / rate as f64).sin() as f32;
            interleaved.extend([x, x]);
        }
        for chunk in interleaved.chunks(960) {
            m.feed(chunk);
        }
        let r = m.reading();
        assert!((r.momentary - 0.0).abs() < 0.1, "momentary {}", r.momentary);
        assert!((r.short_term - 0.0).abs() < 0.1, "short-term {}", r.short_term);
        assert!(r.true_peak.unwrap().abs() < 0.1);
        m.reset();
        assert_eq!(m.reading().true_peak, None);
    }
}
