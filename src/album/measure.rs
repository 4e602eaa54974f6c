//! Measuring an album exactly as its files will hold it: each file quantised
//! with its own dither seed (as its encoder will), the whole album through
//! one meter (gated over all songs together), each song through its own.

use std::ops::Range;

use crate::deliver::mastering::Programme;
use crate::deliver::quantize::Quantizer;
use crate::ir::Export;
use crate::ir::SampleFormat;
use crate::meter::{Measurement, Meter};

/// Frames per quantiser and meter call (results do not depend on it).
const CHUNK: usize = 16_384;

/// The readings of one delivered album.
#[derive(Debug, Clone)]
pub struct Measured {
    pub album: Measurement,
    /// Each song over its track: from its start to the next song's.
    pub songs: Vec<Measurement>,
}

/// One file of an export: its frames of the album and its dither seed.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSpan {
    pub frames: Range<usize>,
    pub seed: u64,
}

/// Measures `delivered` (the album at the export's rate) as `export` stores
/// it in `files` (consecutive spans that cover it); `songs` are the songs' tracks.
pub fn measure(
    delivered: &Programme,
    export: &Export,
    files: &[FileSpan],
    songs: &[Range<usize>],
) -> Result<Measured, String> {
    let channels = delivered.channels.len();
    let meter = || Meter::new(channels, delivered.rate).map_err(|e| e.to_string());
    let mut album = meter()?;
    let mut song_meters = songs.iter().map(|_| meter()).collect::<Result<Vec<_>, _>>()?;
    let bits = export.format.bits();
    let scale = 1.0 / 2f64.powi(bits as i32 - 1);
    let mut ints = Vec::new();
    let mut planar: Vec<Vec<f32>> = vec![Vec::with_capacity(CHUNK); channels];
    for file in files {
        let mut quantizer = (export.format != SampleFormat::F32)
            .then(|| Quantizer::new(bits, export.dither, file.seed, delivered.rate, channels));
        let mut start = file.frames.start;
        while start < file.frames.end {
            let end = (start + CHUNK).min(file.frames.end);
            let chunk: Vec<&[f32]> = delivered.channels.iter().map(|c| &c[start..end]).collect();
            if let Some(q) = &mut quantizer {
                q.quantize_planar(&chunk, &mut ints);
                for (c, p) in planar.iter_mut().enumerate() {
                    p.clear();
                    p.extend(ints.iter().skip(c).step_by(channels).map(|&v| (v as f64 * scale) as f32));
                }
            }
            let view: Vec<&[f32]> = match quantizer {
                Some(_) => planar.iter().map(|p| p.as_slice()).collect(),
                None => chunk,
            };
            album.add(&view);
            for (m, span) in song_meters.iter_mut().zip(songs) {
                let (a, b) = (span.start.max(start), span.end.min(end));
                if a < b {
                    let part: Vec<&[f32]> = view.iter().map(|c| &c[a - start..b - start]).collect();
                    m.add(&part);
                }
            }
            start = end;
        }
    }
    Ok(Measured { album: album.finish(), songs: song_meters.iter().map(Meter::finish).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Container, Dither};

    fn export(format: SampleFormat) -> Export {
        Export {
            path: "x.wav".into(),
            written: "x.wav".into(),
            rate: 48_000,
            format,
            dither: Dither::Tpdf,
            container: Container::Wav,
            target: Default::default(),
            checks: Vec::new(),
            span: Default::default(),
        }
    }

    /// Two files of one sine measure as the whole sine does (to dither), and
    /// each song's meter sees only its own span.
    #[test]
    fn files_and_songs_are_measured_over_their_spans() {
        let rate = 48_000;
        let sine: Vec<f32> = (0..4 * rate)
            .map(|n| (0.25 * (2.0 * std::f64::consts::PI * 997.0 * n as f64 / 48e3).sin()) as f32)
            .collect();
        let mut quiet = sine.clone();
        quiet[2 * rate..].iter_mut().for_each(|x| *x *= 0.5);
        let album = Programme { rate: rate as u32, channels: vec![quiet.clone(), quiet] };
        let files = [FileSpan { frames: 0..2 * rate, seed: 1 }, FileSpan { frames: 2 * rate..4 * rate, seed: 2 }];
        let m = measure(&album, &export(SampleFormat::I16), &files, &[0..2 * rate, 2 * rate..4 * rate]).expect("meter");
        let (a, b) = (m.songs[0].integrated_lufs.expect("a"), m.songs[1].integrated_lufs.expect("b"));
        assert!((a - b - 6.02).abs() < 0.01, "{a} {b}");
        assert_eq!(m.songs[0].frames, 2 * rate as u64);
        let whole = m.album.integrated_lufs.expect("album");
        assert!(whole < a && whole > b, "{whole}");
    }
}
