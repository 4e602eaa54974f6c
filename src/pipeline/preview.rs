//! `mixc preview`: what listeners get from each codec. The song is mastered
//! as it would be for release (the master's loudness target and ceiling)
//! into a lossless reference and one file per codec, in a folder of its own
//! under the system's temporary folder; each lossy file is decoded and
//! measured (as every lossy export is), and the rows say how far its
//! loudness and true peak moved from the lossless master's. The folder is
//! removed afterwards (and, if a run was killed, by the next preview).

use std::path::{Path, PathBuf};

use super::{render_graph, Error, RunOptions, Summary};
use crate::ir::{
    Container, Dither, Export, MixGraph, Mp3Rate, OpusMode, SampleFormat, VorbisRate, MP3_BITRATES, MP3_RATES,
    OPUS_BITRATES, OPUS_RATE, VORBIS_BITRATES, VORBIS_QUALITY,
};
use crate::meter::Measurement;

/// One codec to preview, as the user wrote it (`mp3:320k`).
#[derive(Debug, Clone, PartialEq)]
pub struct Codec {
    pub name: String,
    pub container: Container,
}

/// The codecs previewed when none are named.
pub const DEFAULT_CODECS: &str = "mp3:320k,opus:160k,vorbis:q6";

/// Parses `mp3:320k,opus:160k,opus:96k:cbr,vorbis:q6,vorbis:192k`.
pub fn parse_codecs(list: &str) -> Result<Vec<Codec>, String> {
    let codecs: Vec<Codec> =
        list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(parse_one).collect::<Result<_, _>>()?;
    if codecs.is_empty() {
        return Err(format!("no codec named; for example `--codec {DEFAULT_CODECS}`"));
    }
    Ok(codecs)
}

fn kbps(word: &str, codec: &str) -> Result<u32, String> {
    let digits = word.strip_suffix("kbps").or_else(|| word.strip_suffix('k')).unwrap_or(word);
    digits.parse().map_err(|_| format!("`{codec}`: `{word}` is not a bitrate such as `160k`"))
}

fn parse_one(text: &str) -> Result<Codec, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let lower = parts[0].to_ascii_lowercase();
    let container = match (lower.as_str(), &parts[1..]) {
        ("mp3", [v]) if v.starts_with(['v', 'V']) => {
            let q: u8 = v[1..].parse().map_err(|_| format!("`{text}`: `{v}` is not a VBR quality such as `v0`"))?;
            if q > 9 {
                return Err(format!("`{text}`: LAME's VBR qualities run from v0 to v9"));
            }
            Container::Mp3 { rate: Mp3Rate::Vbr(q) }
        }
        ("mp3", [rate]) => {
            let k = kbps(rate, text)?;
            if !MP3_BITRATES.contains(&k) {
                let list: Vec<String> = MP3_BITRATES.iter().map(|b| format!("{b}k")).collect();
                return Err(format!("`{text}`: MP3 bitrates are {}", list.join(", ")));
            }
            Container::Mp3 { rate: Mp3Rate::Cbr(k) }
        }
        ("opus", [rate, rest @ ..]) if rest.len() <= 1 => {
            let k = kbps(rate, text)?;
            if !OPUS_BITRATES.contains(&k) {
                return Err(format!(
                    "`{text}`: Opus bitrates run from {}k to {}k",
                    OPUS_BITRATES.start(),
                    OPUS_BITRATES.end()
                ));
            }
            let mode = match rest.first().copied() {
                None | Some("vbr") => OpusMode::Vbr,
                Some("cvbr") => OpusMode::Cvbr,
                Some("cbr") => OpusMode::Cbr,
                Some(other) => return Err(format!("`{text}`: `{other}` is not `vbr`, `cvbr` or `cbr`")),
            };
            Container::Opus { kbps: k, mode }
        }
        ("vorbis" | "ogg", [q]) if q.starts_with('q') => {
            let v: f64 = q[1..].parse().map_err(|_| format!("`{text}`: `{q}` is not a quality such as `q6`"))?;
            if !VORBIS_QUALITY.contains(&v) {
                return Err(format!("`{text}`: Vorbis quality runs from q-1 to q10"));
            }
            Container::Vorbis { rate: VorbisRate::Quality((v * 100.0).round() as i16) }
        }
        ("vorbis" | "ogg", [rate]) => {
            let k = kbps(rate, text)?;
            if !VORBIS_BITRATES.contains(&k) {
                return Err(format!(
                    "`{text}`: Vorbis bitrates run from {}k to {}k",
                    VORBIS_BITRATES.start(),
                    VORBIS_BITRATES.end()
                ));
            }
            Container::Vorbis { rate: VorbisRate::Kbps(k) }
        }
        ("mp3" | "opus" | "vorbis" | "ogg", _) => {
            return Err(format!("`{text}`: write the codec and its size, such as `mp3:320k`, `opus:160k` or `vorbis:q6`"))
        }
        _ => {
            return Err(format!(
                "`{text}`: mixc previews `mp3`, `opus` and `vorbis` (AAC is not there yet); for example `--codec {DEFAULT_CODECS}`"
            ))
        }
    };
    Ok(Codec { name: text.to_string(), container })
}

/// The rate a codec's file is written at: Opus at 48 kHz, MP3 at the
/// session rate when it holds it (else 48 kHz, or 44.1 kHz for the 44.1 kHz
/// family), Vorbis at the session rate.
fn rate_for(container: Container, session: u32) -> u32 {
    match container {
        Container::Opus { .. } => OPUS_RATE,
        Container::Mp3 { .. } if MP3_RATES.contains(&session) => session,
        Container::Mp3 { .. } if session % 11_025 == 0 => 44_100,
        Container::Mp3 { .. } => 48_000,
        _ => session,
    }
}

/// One codec's reading against the lossless master.
#[derive(Debug, Clone)]
pub struct Row {
    pub codec: String,
    pub rate: u32,
    /// The file's average bitrate (its size over its length), kbit/s.
    pub kbps: f64,
    pub measured: Measurement,
}

/// The lossless master and every codec's decoded file.
#[derive(Debug, Clone)]
pub struct Preview {
    pub master: Measurement,
    pub rows: Vec<Row>,
    /// The true-peak ceiling the master is held to, if any.
    pub ceiling: Option<f64>,
    pub summary: Summary,
}

/// Masters `graph` into a lossless reference and one file per codec in a
/// fresh folder under the temporary folder, measures them, and removes it.
pub fn preview(
    graph: &MixGraph,
    codecs: &[Codec],
    options: RunOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Preview, Error> {
    let dir = Folder::new()?;
    let export = |name: String, container: Container, rate: u32, format: SampleFormat| Export {
        path: dir.path.join(&name),
        written: name,
        rate,
        format,
        dither: Dither::None,
        container,
        // The master's target, else the first export's (the release master).
        target: graph.exports.first().map_or(graph.target, |e| graph.target.or(e.target)),
        checks: Vec::new(),
        span: graph.exports.first().map_or_else(Default::default, |e| e.span),
    };
    let mut exports = vec![export("master.wav".into(), Container::Wav, graph.rate, SampleFormat::F32)];
    for (i, c) in codecs.iter().enumerate() {
        let extension = match c.container {
            Container::Mp3 { .. } => "mp3",
            Container::Opus { .. } => "opus",
            _ => "ogg",
        };
        let rate = rate_for(c.container, graph.rate);
        exports.push(export(format!("{i}.{extension}"), c.container, rate, SampleFormat::F32));
    }
    let mut graph = graph.clone();
    graph.exports = exports;
    graph.checks.clear();
    // Errors name the codec, not a file in the temporary folder.
    let named = |path: &Path| match graph.exports.iter().position(|e| e.path == path) {
        Some(0) => PathBuf::from("the lossless master"),
        Some(i) => PathBuf::from(&codecs[i - 1].name),
        None => path.to_path_buf(),
    };
    let summary = render_graph(&graph, options, progress).map_err(|e| match e {
        Error::Target { path, error } => Error::Target { path: named(&path), error },
        other => other,
    })?;
    let master = summary.written[0].measured.clone().ok_or_else(|| no_reading(&summary.written[0].path))?;
    let mut rows = Vec::new();
    for (c, w) in codecs.iter().zip(&summary.written[1..]) {
        let measured = w.measured.clone().ok_or_else(|| no_reading(&w.path))?;
        let bytes = std::fs::metadata(&w.path).map(|m| m.len()).unwrap_or(0);
        let seconds = (w.frames as f64 / f64::from(w.rate.max(1))).max(1e-9);
        rows.push(Row { codec: c.name.clone(), rate: w.rate, kbps: bytes as f64 * 8.0 / seconds / 1000.0, measured });
    }
    let ceiling = graph.exports[0].target.true_peak;
    Ok(Preview { master, rows, ceiling, summary })
}

fn no_reading(path: &Path) -> Error {
    let reason = "the file could not be measured".into();
    Error::Audio(crate::io::AudioError::Decode { path: path.into(), reason })
}

/// `mixc-preview-PID` under the temporary folder, removed when dropped;
/// folders that killed previews left are removed on the way in.
struct Folder {
    path: PathBuf,
}

impl Folder {
    fn new() -> Result<Folder, Error> {
        let base = std::env::temp_dir();
        for entry in std::fs::read_dir(&base).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let pid = name.strip_prefix("mixc-preview-").and_then(|p| p.parse::<u32>().ok());
            if pid.is_some_and(|pid| pid != std::process::id() && !crate::deliver::temp::process_alive(pid)) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let path = base.join(format!("mixc-preview-{}", std::process::id()));
        std::fs::create_dir_all(&path)
            .map_err(|e| Error::Audio(crate::io::AudioError::Write { path: path.clone(), reason: e.to_string() }))?;
        Ok(Folder { path })
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codec_lists_parse_and_bad_ones_say_what_is_allowed() {
        let codecs = parse_codecs("mp3:320k, opus:96k:cbr,vorbis:q4.5,ogg:192kbps,mp3:V2").expect("parses");
        let containers: Vec<Container> = codecs.iter().map(|c| c.container).collect();
        assert_eq!(
            containers,
            [
                Container::Mp3 { rate: Mp3Rate::Cbr(320) },
                Container::Opus { kbps: 96, mode: OpusMode::Cbr },
                Container::Vorbis { rate: VorbisRate::Quality(450) },
                Container::Vorbis { rate: VorbisRate::Kbps(192) },
                Container::Mp3 { rate: Mp3Rate::Vbr(2) },
            ]
        );
        for (bad, says) in [
            ("mp3:100k", "MP3 bitrates are"),
            ("opus:600k", "from 6k to 510k"),
            ("vorbis:q12", "q-1 to q10"),
            ("aac:256k", "AAC is not there yet"),
            ("mp3", "such as `mp3:320k`"),
            ("opus:96k:abr", "`vbr`, `cvbr` or `cbr`"),
            ("", "no codec named"),
        ] {
            let err = parse_codecs(bad).expect_err(bad);
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn each_codec_gets_a_rate_it_holds() {
        assert_eq!(rate_for(Container::Opus { kbps: 160, mode: OpusMode::Vbr }, 44_100), 48_000);
        assert_eq!(rate_for(Container::Mp3 { rate: Mp3Rate::Cbr(320) }, 44_100), 44_100);
        assert_eq!(rate_for(Container::Mp3 { rate: Mp3Rate::Cbr(320) }, 88_200), 44_100);
        assert_eq!(rate_for(Container::Mp3 { rate: Mp3Rate::Cbr(320) }, 96_000), 48_000);
        assert_eq!(rate_for(Container::Vorbis { rate: VorbisRate::Kbps(192) }, 96_000), 96_000);
    }
}
