//! One pass over an album as a stream: each song's held master through its
//! final gain and limiter, laid on the album timeline (gaps as silence,
//! crossfades summed), converted to the export's rate and handed on chunk
//! by chunk. Memory is bounded by the longest crossfade plus a chunk, so an
//! album of any length masters in flat memory; the samples are those of
//! [`super::sequence::Layout::assemble`] bit for bit (the same sums in the
//! same order).

use super::sequence::Layout;
use crate::deliver::mastering::finish::{finish_with, Finisher, Reduction};
use crate::deliver::mastering::held::{ChunkSink, Held};
use crate::deliver::mastering::Programme;
use crate::dsp::dynamics::limiter::LimiterSpec;
use crate::io::resample::StreamResampler;
use crate::io::AudioError;

/// How one song is finished in a pass: its own limiter (when turning down),
/// the gain, the final limiter.
#[derive(Debug, Clone, Copy)]
pub struct Finish<'a> {
    pub before: Option<&'a LimiterSpec>,
    pub gain_db: f64,
    pub after: Option<&'a LimiterSpec>,
}

/// Streams the album of `songs` (each at the album rate, laid out by
/// `layout`), finished as `finish[i]` says, at `rate`, into `sink`. Songs
/// held in memory are finished in parallel on `pool` first; songs on disk
/// are finished as they stream. Returns each song's limiter work.
pub fn stream(
    songs: &[Held],
    layout: &Layout,
    finish: &[Finish],
    rate: u32,
    pool: &rayon::ThreadPool,
    sink: &mut ChunkSink,
) -> Result<Vec<Option<Reduction>>, AudioError> {
    use rayon::prelude::*;
    let channels = songs.first().map_or(2, Held::channels);
    let mut sequencer = Sequencer::new(layout, channels, rate)?;
    let mut reductions = Vec::with_capacity(songs.len());
    if songs.iter().all(|s| s.in_memory().is_some()) {
        let finished: Vec<(Programme, Option<Reduction>)> = pool.install(|| {
            (songs, finish)
                .into_par_iter()
                .map(|(s, f)| {
                    let p = s.in_memory().expect("in memory");
                    finish_with(p, f.before, f.gain_db, f.after)
                })
                .collect()
        });
        for (i, (p, r)) in finished.iter().enumerate() {
            crate::deliver::mastering::held::replay(p, &mut |chunk| sequencer.add(i, chunk, sink))?;
            sequencer.song_done(i, sink)?;
            reductions.push(*r);
        }
    } else {
        for (i, (song, f)) in songs.iter().zip(finish).enumerate() {
            let mut finisher = Finisher::new(song.rate(), channels, f.before, f.gain_db, f.after);
            let mut out = vec![Vec::new(); channels];
            song.replay(&mut |chunk| {
                out.iter_mut().for_each(Vec::clear);
                finisher.push(chunk, &mut out);
                let view: Vec<&[f32]> = out.iter().map(|c| c.as_slice()).collect();
                sequencer.add(i, &view, sink)
            })?;
            out.iter_mut().for_each(Vec::clear);
            let reduction = finisher.finish(&mut out);
            let view: Vec<&[f32]> = out.iter().map(|c| c.as_slice()).collect();
            sequencer.add(i, &view, sink)?;
            sequencer.song_done(i, sink)?;
            reductions.push(reduction);
        }
    }
    sequencer.finish(sink)?;
    Ok(reductions)
}

/// The album timeline as songs arrive in order: frames from `base` on are
/// still open (a later song may overlap them); earlier ones have gone out.
struct Sequencer<'a> {
    layout: &'a Layout,
    open: Vec<Vec<f32>>,
    base: u64,
    /// Frames of the current song received so far.
    received: u64,
    resampler: Option<StreamResampler>,
    converted: Vec<Vec<f32>>,
}

impl<'a> Sequencer<'a> {
    fn new(layout: &'a Layout, channels: usize, rate: u32) -> Result<Sequencer<'a>, AudioError> {
        let resampler = match layout.rate == rate {
            true => None,
            false => Some(StreamResampler::new(channels, layout.rate, rate).map_err(resample_err)?),
        };
        Ok(Sequencer {
            layout,
            open: vec![Vec::new(); channels],
            base: 0,
            received: 0,
            resampler,
            converted: vec![Vec::new(); channels],
        })
    }

    /// Adds the next finished frames of song `i`, faded where it crossfades.
    fn add(&mut self, i: usize, chunk: &[&[f32]], sink: &mut ChunkSink) -> Result<(), AudioError> {
        let n = chunk.first().map_or(0, |c| c.len());
        let l = self.layout;
        let (start, len) = (l.starts[i], l.lengths[i] as usize);
        let (fin, fout) = (l.fade_in[i] as usize, l.fade_out[i] as usize);
        let at = (start + self.received - self.base) as usize;
        for (dst, src) in self.open.iter_mut().zip(chunk) {
            if dst.len() < at + n {
                dst.resize(at + n, 0.0);
            }
            for (k, (d, &s)) in dst[at..at + n].iter_mut().zip(src.iter()).enumerate() {
                let j = self.received as usize + k;
                let mut g = 1.0f64;
                if j < fin {
                    g *= (j + 1) as f64 / (fin + 1) as f64;
                }
                if j >= len - fout {
                    g *= (len - j) as f64 / (fout + 1) as f64;
                }
                *d += (s as f64 * g) as f32;
            }
        }
        self.received += n as u64;
        // What lies before the next song's start (and before what this one has reached) is final.
        let next = l.starts.get(i + 1).copied().unwrap_or(l.total);
        self.release(next.min(start + self.received), sink)
    }

    /// Song `i` has ended: the silence up to the next song is final too.
    fn song_done(&mut self, i: usize, sink: &mut ChunkSink) -> Result<(), AudioError> {
        self.received = 0;
        let next = self.layout.starts.get(i + 1).copied().unwrap_or(self.layout.total);
        self.release(next, sink)
    }

    /// Sends the album's frames before `upto` on.
    fn release(&mut self, upto: u64, sink: &mut ChunkSink) -> Result<(), AudioError> {
        if upto <= self.base {
            return Ok(());
        }
        let n = (upto - self.base) as usize;
        for c in &mut self.open {
            if c.len() < n {
                c.resize(n, 0.0);
            }
        }
        let view: Vec<&[f32]> = self.open.iter().map(|c| &c[..n]).collect();
        match &mut self.resampler {
            None => sink(&view)?,
            Some(r) => {
                self.converted.iter_mut().for_each(Vec::clear);
                r.process(&view, &mut self.converted).map_err(resample_err)?;
                let out: Vec<&[f32]> = self.converted.iter().map(|c| c.as_slice()).collect();
                sink(&out)?;
            }
        }
        self.open.iter_mut().for_each(|c| {
            c.drain(..n);
        });
        self.base = upto;
        Ok(())
    }

    fn finish(mut self, sink: &mut ChunkSink) -> Result<(), AudioError> {
        self.release(self.layout.total, sink)?;
        if let Some(r) = &mut self.resampler {
            self.converted.iter_mut().for_each(Vec::clear);
            r.finish(&mut self.converted).map_err(resample_err)?;
            let out: Vec<&[f32]> = self.converted.iter().map(|c| c.as_slice()).collect();
            sink(&out)?;
        }
        Ok(())
    }
}

fn resample_err(reason: String) -> AudioError {
    AudioError::Resample { path: "(the album)".into(), reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::album::sequence::layout;
    use crate::album::Transition;

    fn song(n: usize, seed: u32) -> Programme {
        let x: Vec<f32> =
            (0..n).map(|i| (((i as u32).wrapping_mul(2_654_435_761) ^ seed) % 1000) as f32 / 2000.0).collect();
        Programme { rate: 44_100, channels: vec![x.clone(), x] }
    }

    /// Gaps, a crossfade and a gapless join stream to exactly the samples
    /// the in-memory assembly makes, songs in memory or on disk alike.
    #[test]
    fn the_stream_is_the_assembled_album() {
        let songs = [song(30_000, 1), song(50_000, 2), song(20_000, 3), song(40_000, 4)];
        let after = [Transition::Gap(0.5), Transition::Crossfade(0.3), Transition::Gap(0.0), Transition::Gap(0.0)];
        let lengths: Vec<u64> = songs.iter().map(|s| s.frames() as u64).collect();
        let l = layout(44_100, &lengths, &after);
        let expected = l.assemble(&songs);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let finish = vec![Finish { before: None, gain_db: 0.0, after: None }; songs.len()];
        let dir = tempfile::tempdir().unwrap();
        for bound in [u64::MAX, 1_000] {
            let held: Vec<Held> = songs
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let near = dir.path().join(format!("{i}.programme"));
                    let mut h = crate::deliver::mastering::held::Holder::new(44_100, 2, bound, &near);
                    crate::deliver::mastering::held::replay(s, &mut |c| h.push(c)).unwrap();
                    h.finish().unwrap()
                })
                .collect();
            assert_eq!(held.iter().all(|h| h.in_memory().is_none()), bound < u64::MAX);
            let mut got = vec![Vec::new(), Vec::new()];
            stream(&held, &l, &finish, 44_100, &pool, &mut |c| {
                got.iter_mut().zip(c).for_each(|(g, c)| g.extend_from_slice(c));
                Ok(())
            })
            .unwrap();
            assert!(got == expected.channels, "bound {bound}: the streamed album differs");
        }
    }
}
