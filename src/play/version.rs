//! One playable render: the master output as planar stereo at the device
//! rate, immutable once built and shared by `Arc` with the audio callback.

use crate::deliver::mastering::Programme;

/// A render ready to play.
#[derive(Debug)]
pub struct Version {
    /// 1 for the first render of a session, counting up.
    pub id: u32,
    /// Frames per second (the output device's rate).
    pub rate: u32,
    /// Left and right, the same length.
    pub channels: [Vec<f32>; 2],
}

impl Version {
    /// `programme` as stereo at `rate`: mono is sent to both sides, channels
    /// past the second are dropped (mixc masters are stereo), and a
    /// programme at another rate is converted (rubato, as the exports are).
    pub fn new(id: u32, programme: Programme, rate: u32) -> Result<Version, String> {
        let programme = crate::deliver::mastering::delivered::convert(programme, rate)?;
        let mut channels = programme.channels.into_iter();
        let left = channels.next().unwrap_or_default();
        let right = channels.next().unwrap_or_else(|| left.clone());
        Ok(Version { id, rate, channels: [left, right] })
    }

    /// A version from planar samples already at `rate` (tests, decoded files).
    pub fn from_planar(id: u32, rate: u32, left: Vec<f32>, right: Vec<f32>) -> Version {
        assert_eq!(left.len(), right.len(), "both channels of a version are the same length");
        Version { id, rate, channels: [left, right] }
    }

    pub fn frames(&self) -> u64 {
        self.channels[0].len() as u64
    }

    /// The frame at `at`; silence past the end.
    #[inline]
    pub fn frame(&self, at: u64) -> (f32, f32) {
        let i = at as usize;
        match (self.channels[0].get(i), self.channels[1].get(i)) {
            (Some(&l), Some(&r)) => (l, r),
            _ => (0.0, 0.0),
        }
    }

    /// Gated integrated loudness (BS.1770), for level-matched A/B; `None` for silence.
    pub fn integrated(&self) -> Option<f64> {
        let mut meter = crate::meter::Meter::new(2, self.rate).ok()?;
        const CHUNK: usize = 65_536;
        let mut start = 0;
        while start < self.channels[0].len() {
            let end = (start + CHUNK).min(self.channels[0].len());
            meter.add(&[&self.channels[0][start..end], &self.channels[1][start..end]]);
            start = end;
        }
        meter.finish().integrated_lufs
    }
}
