//! Measuring an album exactly as its files will hold it: each file quantised
//! with its own dither seed (as its encoder will), the whole album through
//! one meter (gated over all songs together), each song through its own.

use std::ops::Range;

#[cfg(test)]
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
#[cfg(test)]
pub fn measure(
    delivered: &Programme,
    export: &Export,
    files: &[FileSpan],
    songs: &[Range<usize>],
) -> Result<Measured, String> {
    let mut m = AlbumMeasurer::new(export, delivered.rate, delivered.channels.len(), files, songs)?;
    crate::deliver::mastering::held::replay(delivered, &mut |chunk| {
        m.add(chunk);
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok(m.finish())
}

/// [`measure`] as a stream: the delivered album in order, in chunks of any
/// size; each file's quantiser starts where its span does.
pub struct AlbumMeasurer<'a> {
    export: &'a Export,
    rate: u32,
    channels: usize,
    files: &'a [FileSpan],
    songs: &'a [Range<usize>],
    album: Meter,
    song_meters: Vec<Meter>,
    /// The file being measured and its quantiser.
    file: usize,
    quantizer: Option<Quantizer>,
    pos: usize,
    ints: Vec<i32>,
    planar: Vec<Vec<f32>>,
}

impl<'a> AlbumMeasurer<'a> {
    pub fn new(
        export: &'a Export,
        rate: u32,
        channels: usize,
        files: &'a [FileSpan],
        songs: &'a [Range<usize>],
    ) -> Result<AlbumMeasurer<'a>, String> {
        let meter = || Meter::new(channels, rate).map_err(|e| e.to_string());
        let mut m = AlbumMeasurer {
            export,
            rate,
            channels,
            files,
            songs,
            album: meter()?,
            song_meters: songs.iter().map(|_| meter()).collect::<Result<Vec<_>, _>>()?,
            file: 0,
            quantizer: None,
            pos: 0,
            ints: Vec::new(),
            planar: vec![Vec::with_capacity(CHUNK); channels],
        };
        m.quantizer = m.quantizer_for(0);
        Ok(m)
    }

    fn quantizer_for(&self, file: usize) -> Option<Quantizer> {
        let f = self.files.get(file)?;
        let bits = self.export.format.bits();
        (self.export.format != SampleFormat::F32)
            .then(|| Quantizer::new(bits, self.export.dither, f.seed, self.rate, self.channels))
    }

    /// The next frames of the delivered album.
    pub fn add(&mut self, chunk: &[&[f32]]) {
        let n = chunk.first().map_or(0, |c| c.len());
        let mut done = 0;
        while done < n {
            // Up to the end of the current file, at most a meter chunk.
            while self.files.get(self.file).is_some_and(|f| self.pos >= f.frames.end)
                && self.file + 1 < self.files.len()
            {
                self.file += 1;
                self.quantizer = self.quantizer_for(self.file);
            }
            let file_end = self.files.get(self.file).map_or(usize::MAX, |f| f.frames.end);
            let take = (n - done).min(CHUNK).min(file_end.saturating_sub(self.pos).max(1));
            let part: Vec<&[f32]> = chunk.iter().map(|c| &c[done..done + take]).collect();
            self.measure_part(&part);
            done += take;
            self.pos += take;
        }
    }

    fn measure_part(&mut self, part: &[&[f32]]) {
        let (start, end) = (self.pos, self.pos + part.first().map_or(0, |c| c.len()));
        let scale = 1.0 / 2f64.powi(self.export.format.bits() as i32 - 1);
        if let Some(q) = &mut self.quantizer {
            q.quantize_planar(part, &mut self.ints);
            for (c, p) in self.planar.iter_mut().enumerate() {
                p.clear();
                p.extend(self.ints.iter().skip(c).step_by(self.channels).map(|&v| (v as f64 * scale) as f32));
            }
        }
        let view: Vec<&[f32]> = match self.quantizer {
            Some(_) => self.planar.iter().map(|p| p.as_slice()).collect(),
            None => part.to_vec(),
        };
        self.album.add(&view);
        for (m, span) in self.song_meters.iter_mut().zip(self.songs) {
            let (a, b) = (span.start.max(start), span.end.min(end));
            if a < b {
                let piece: Vec<&[f32]> = view.iter().map(|c| &c[a - start..b - start]).collect();
                m.add(&piece);
            }
        }
    }

    pub fn finish(self) -> Measured {
        Measured { album: self.album.finish(), songs: self.song_meters.iter().map(Meter::finish).collect() }
    }
}

/// The album as its lossy files decode: each file (complete, under its
/// temporary name at `paths[i]`) decoded in album order and measured as one
/// programme and per song, as [`AlbumMeasurer`] measures the encoder's input.
pub fn measure_decoded(
    export: &Export,
    rate: u32,
    files: &[FileSpan],
    songs: &[Range<usize>],
    paths: &[&std::path::Path],
) -> Result<Measured, crate::io::AudioError> {
    let mut m = AlbumMeasurer::new(export, rate, 2, files, songs)
        .map_err(|reason| crate::io::AudioError::Write { path: export.path.clone(), reason })?;
    for path in paths {
        let undecodable = |e| crate::deliver::undecodable(export, e);
        let mut decoder = crate::io::decode::Decoder::open_any(path).map_err(undecodable)?;
        decoder.read_to_end(&mut |chunk| m.add(chunk)).map_err(undecodable)?;
    }
    Ok(m.finish())
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
