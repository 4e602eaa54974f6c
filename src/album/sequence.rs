//! Laying songs out on the album timeline: gaps, crossfades, and song starts
//! on CD frames.
//!
//! A song's `gap` is the silence *after* it. A CUE sheet can only mark
//! whole CD frames (1/75 s: 588 samples at 44.1 kHz, 640 at 48 kHz), so
//! every gap is lengthened (by less than one frame, 13.3 ms) until the next
//! song starts on a frame boundary; that extra bit of silence belongs to the
//! song before, and the gap as written (in whole frames) is the next song's
//! pregap (its CUE `INDEX 00`). A crossfade is lengthened the same way. A
//! gapless transition (`gap = 0s`) gets no silence: the next song starts
//! exactly where the last one ends, and its mark is rounded to the nearest
//! frame unless the song before lasts a whole number of frames (give it a
//! `length` in whole seconds for exact marks). Alignment needs a rate that is
//! a multiple of 75 Hz, as every CD and studio rate is.

use super::Transition;
#[cfg(test)]
use crate::deliver::mastering::Programme;

/// CD frames (sectors) per second.
pub const CD_FRAMES: u64 = 75;

/// Where every song sits on the album timeline, in frames at `rate`.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub rate: u32,
    pub starts: Vec<u64>,
    pub lengths: Vec<u64>,
    /// Frames each song fades in over (the crossfade before it).
    pub fade_in: Vec<u64>,
    /// Frames each song fades out over (the crossfade after it).
    pub fade_out: Vec<u64>,
    /// Where the gap before each song begins (its pregap), when it has one.
    pub pregaps: Vec<Option<u64>>,
    /// The whole album, from the first song's start to the last one's end.
    pub total: u64,
}

/// Lays out songs of `lengths` frames (at `rate`) with `after[i]` between
/// song `i` and the next (the last entry is not used).
pub fn layout(rate: u32, lengths: &[u64], after: &[Transition]) -> Layout {
    let n = lengths.len();
    let cd = (rate as u64 % CD_FRAMES == 0).then_some(rate as u64 / CD_FRAMES);
    let mut l = Layout {
        rate,
        starts: vec![0; n],
        lengths: lengths.to_vec(),
        fade_in: vec![0; n],
        fade_out: vec![0; n],
        pregaps: vec![None; n],
        total: 0,
    };
    for i in 1..n {
        let end = l.starts[i - 1] + lengths[i - 1];
        l.starts[i] = match after[i - 1] {
            Transition::Gap(g) if g > 0.0 => {
                let gap = (g * rate as f64).round() as u64;
                let (start, pregap) = match cd {
                    Some(f) => ((end + gap).div_ceil(f) * f, gap / f * f),
                    None => (end + gap, gap),
                };
                l.pregaps[i] = (pregap > 0).then(|| start - pregap);
                start
            }
            Transition::Gap(_) => end,
            Transition::Crossfade(x) => {
                let wanted = ((x * rate as f64).round() as u64).min(lengths[i - 1]).min(lengths[i]);
                let start = end - wanted;
                let aligned = cd.map(|f| start / f * f).filter(|s| *s >= l.starts[i - 1] && end - s <= lengths[i]);
                let start = aligned.unwrap_or(start);
                (l.fade_out[i - 1], l.fade_in[i]) = (end - start, end - start);
                start
            }
        };
    }
    l.total = (0..n).map(|i| l.starts[i] + lengths[i]).max().unwrap_or(0);
    l
}

impl Layout {
    /// `frame` (at the album rate) at another `rate`, to the nearest frame.
    pub fn at(&self, frame: u64, rate: u32) -> u64 {
        ((frame as u128 * rate as u128 + self.rate as u128 / 2) / self.rate as u128) as u64
    }

    /// `frame` in CD frames, to the nearest one.
    pub fn cd_frame(&self, frame: u64) -> u64 {
        ((frame as u128 * CD_FRAMES as u128 + self.rate as u128 / 2) / self.rate as u128) as u64
    }

    /// How far `frame` lies from the nearest CD frame, in seconds (0 when on one).
    pub fn off_frame(&self, frame: u64) -> f64 {
        let exact = frame as f64 * CD_FRAMES as f64 / self.rate as f64;
        (exact - exact.round()).abs() / CD_FRAMES as f64
    }

    /// Sums the songs (each at the album rate) into the album, crossfades
    /// applied: linear, so the two gains add up to one at every frame and
    /// the sum never peaks above the louder of the two songs. The reference
    /// for [`crate::album::stream`], which renders do through.
    #[cfg(test)]
    pub fn assemble(&self, songs: &[Programme]) -> Programme {
        let channels = songs.first().map_or(2, |s| s.channels.len());
        let mut out = vec![vec![0.0f32; self.total as usize]; channels];
        for (i, song) in songs.iter().enumerate() {
            let start = self.starts[i] as usize;
            let (fin, fout) = (self.fade_in[i] as usize, self.fade_out[i] as usize);
            for (dst, src) in out.iter_mut().zip(&song.channels) {
                let n = src.len();
                for (j, (d, &s)) in dst[start..start + n].iter_mut().zip(src).enumerate() {
                    let mut g = 1.0f64;
                    if j < fin {
                        g *= (j + 1) as f64 / (fin + 1) as f64;
                    }
                    if j >= n - fout {
                        g *= (n - j) as f64 / (fout + 1) as f64;
                    }
                    *d += (s as f64 * g) as f32;
                }
            }
        }
        Programme { rate: self.rate, channels: out }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 44_100;

    #[test]
    fn gaps_are_lengthened_to_the_next_cd_frame_and_the_written_gap_is_the_pregap() {
        let l =
            layout(RATE, &[1_000, 2_000, 500], &[Transition::Gap(2.0), Transition::Gap(1.01), Transition::Gap(9.0)]);
        // 1000 + 88200 = 89200 → 152 frames of 588 = 89376.
        // 91376 + 44541 = 135917 → 232 frames = 136416; the pregap is 75 whole frames.
        assert_eq!(l.starts, vec![0, 89_376, 136_416]);
        assert_eq!(l.pregaps, vec![None, Some(89_376 - 88_200), Some(136_416 - 44_100)]);
        assert!(l.starts.iter().all(|s| s % 588 == 0));
        assert_eq!(l.total, l.starts[2] + 500);
    }

    #[test]
    fn gapless_songs_touch() {
        let l = layout(RATE, &[1_000, 2_000], &[Transition::Gap(0.0), Transition::Gap(0.0)]);
        assert_eq!((l.starts.clone(), l.pregaps.clone(), l.total), (vec![0, 1_000], vec![None, None], 3_000));
        assert!(l.off_frame(1_000) > 0.0);
        assert_eq!(l.off_frame(588 * 3), 0.0);
    }

    #[test]
    fn crossfades_overlap_on_a_frame_and_sum_to_unity() {
        let l = layout(RATE, &[10_000, 10_000], &[Transition::Crossfade(0.05), Transition::Gap(0.0)]);
        // 10000 - 2205 = 7795 → down to 7644 (13 frames).
        assert_eq!(l.starts, vec![0, 7_644]);
        assert_eq!((l.fade_out[0], l.fade_in[1]), (2_356, 2_356));
        let ones = |n| Programme { rate: RATE, channels: vec![vec![1.0; n]; 2] };
        let album = l.assemble(&[ones(10_000), ones(10_000)]);
        assert_eq!(album.frames(), 17_644);
        assert!(album.channels[0].iter().all(|&x| (x - 1.0).abs() < 1e-6));
    }

    #[test]
    fn other_rates_convert_to_the_nearest_frame() {
        let l = layout(48_000, &[48_000], &[Transition::Gap(0.0)]);
        assert_eq!((l.at(48_000, 44_100), l.at(1, 44_100), l.cd_frame(640)), (44_100, 1, 1));
    }
}
