//! `MixGraph`: a checked mix, ready to plan.
//!
//! Invariants: every name is resolved to a [`NodeId`]; the routing (outs and
//! sends) is acyclic; every processor parameter is in canonical units and in
//! range; every source was opened and its channel count and length are known;
//! `nodes` is in topological order (every node comes after all of its inputs)
//! and the master is the last node.

use std::path::PathBuf;

use crate::processor::registry::{Params, ProcessorSpec};
use crate::source::Span;

/// Index into [`MixGraph::nodes`].
pub type NodeId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeRole {
    Track,
    Bus,
    Master,
}

/// An audio file placed on the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub path: PathBuf,
    /// Where the file begins on the timeline, in frames at the session rate.
    pub start: u64,
    pub channels: usize,
    /// The file's own sample rate.
    pub rate: u32,
    /// Length in frames at the session rate.
    pub frames: u64,
    /// `on_error = conceal`: damaged audio is read as silence, and reported.
    pub conceal: bool,
}

/// One processor in a chain, checked.
#[derive(Debug, Clone)]
pub struct ProcessorCall {
    pub spec: &'static ProcessorSpec,
    pub params: Params,
    /// Where each argument was written (`None` for defaults), for later errors.
    pub param_spans: Vec<Option<Span>>,
    /// `name:` given in the chain, for automation.
    pub label: Option<String>,
    pub span: Span,
}

/// Which signal a send taps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tap {
    /// After the chain and pan, before the fader.
    PreFader,
    /// After the fader.
    PostFader,
    /// Not summed: a sidechain key, read by a processor of the chain.
    Key,
}

/// An edge into a node: `out = ...` (unity, post-fader) or a send.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub from: NodeId,
    /// Linear gain applied on the way.
    pub gain: f32,
    pub tap: Tap,
}

/// How an automation curve arrives at a breakpoint from the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// A straight line in the parameter's own unit (dB for levels).
    Linear,
    /// A raised-cosine S-curve: starts and ends with zero slope.
    Smooth,
    /// Keeps the previous value, then jumps (over a few samples, to avoid a click).
    Hold,
}

/// One automation breakpoint: at `frame`, the parameter is exactly `value`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Breakpoint {
    pub frame: u64,
    /// In the parameter's canonical unit (dB for levels, −1..1 for pan).
    pub value: f64,
    pub curve: Curve,
}

/// What an automation lane drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoTarget {
    /// The fader, in dB, added to the node's static `gain`.
    Gain,
    /// The pan position (replaces the static `pan`).
    Pan,
    /// Parameter `param` of processor `call` of the node's chain.
    Param { call: usize, param: usize },
}

/// An automation lane: breakpoints in time order (at least one).
#[derive(Debug, Clone, PartialEq)]
pub struct Automation {
    pub target: AutoTarget,
    pub points: Vec<Breakpoint>,
    pub span: Span,
}

/// A track, bus or the master.
#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub role: NodeRole,
    pub span: Span,
    pub source: Option<Source>,
    /// Channels through the chain: the source's for tracks, 2 for buses.
    pub channels: usize,
    pub chain: Vec<ProcessorCall>,
    /// Fader, linear.
    pub gain: f64,
    /// −1 (left) .. +1 (right).
    pub pan: f64,
    /// Silenced by `mute`, or by another node's `solo`.
    pub silent: bool,
    /// Inputs in a fixed order (by node id), so sums are deterministic.
    pub inputs: Vec<Input>,
    pub automation: Vec<Automation>,
}

/// One deliverable file.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// Where the file goes (relative paths are resolved from the `.mix` file's folder).
    pub path: PathBuf,
    /// The path as written in the `.mix` file.
    pub written: String,
    pub rate: u32,
    pub format: SampleFormat,
    pub dither: Dither,
    pub container: Container,
    /// This file's own loudness and true-peak targets (else the master's).
    pub target: Target,
    /// QC lines for this file alone (from its `target = PRESET`), besides the song's `check`.
    pub checks: Vec<QcCheck>,
    pub span: Span,
}

/// The sample format of a delivered file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleFormat {
    I16,
    I24,
    F32,
}

impl SampleFormat {
    /// Bits per sample in the file.
    pub fn bits(self) -> u32 {
        match self {
            SampleFormat::I16 => 16,
            SampleFormat::I24 => 24,
            SampleFormat::F32 => 32,
        }
    }
}

/// Dither applied when quantising to an integer format (ignored for `F32`).
///
/// `Tpdf` is *auto*: no noise is added while every sample is exactly
/// representable at the target depth; the first sample that is not switches
/// TPDF dither on for the rest of the file. Sources already on the target grid
/// are thus written bit-exactly (the identity rule), processed audio is
/// dithered. See [`crate::deliver::quantize::Quantizer`].
///
/// `Shaped` is the same auto TPDF plus error-feedback noise shaping per
/// channel (the improved E-weighted filter, [`crate::deliver::noise_shape`]), which
/// moves the noise out of 2–5 kHz to the top of the band. The filter fits
/// 44.1 and 48 kHz; at other rates `Shaped` is plain `Tpdf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dither {
    None,
    Tpdf,
    Shaped,
}

/// The file type of a delivered file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Wav,
    Flac,
    /// MPEG-1 Layer III, at a constant bitrate or LAME's VBR quality.
    Mp3 {
        rate: Mp3Rate,
    },
    /// Opus in Ogg at 48 kHz, kbit/s, with opusenc's bitrate modes.
    Opus {
        kbps: u32,
        mode: OpusMode,
    },
    /// Vorbis in Ogg (libvorbis with aoTuV), by quality or bitrate.
    Vorbis {
        rate: VorbisRate,
    },
}

/// How LAME is asked for an MP3's size: a constant bitrate (kbit/s,
/// `lame -b`) or a VBR quality (`lame -V`, 0 the largest and best, 9 the
/// smallest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mp3Rate {
    Cbr(u32),
    Vbr(u8),
}

/// How a Vorbis encoder is asked for its size: oggenc's `-q` (hundredths of
/// a quality step, −1 to 10) or `-b` (a nominal bitrate, kbit/s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VorbisRate {
    Quality(i16),
    Kbps(u32),
}

/// Vorbis quality steps (oggenc's `-q`).
pub const VORBIS_QUALITY: std::ops::RangeInclusive<f64> = -1.0..=10.0;
/// The default: quality 6, about 190 kbit/s for stereo music.
pub const VORBIS_DEFAULT: VorbisRate = VorbisRate::Quality(600);
/// Vorbis bitrates mixc asks for, kbit/s (what libvorbis has modes for at
/// 44.1 and 48 kHz stereo; lower rates narrow the range).
pub const VORBIS_BITRATES: std::ops::RangeInclusive<u32> = 45..=500;

impl Container {
    /// How a lossy file was encoded, for summaries: `MP3 320 kbit/s`,
    /// `MP3 VBR -V 2`, `Opus 160 kbit/s VBR`, `Vorbis q6`; `None` for WAV and FLAC.
    pub fn lossy_description(&self) -> Option<String> {
        Some(match self {
            Container::Wav | Container::Flac => return None,
            Container::Mp3 { rate: Mp3Rate::Cbr(k) } => format!("MP3 {k} kbit/s"),
            Container::Mp3 { rate: Mp3Rate::Vbr(q) } => format!("MP3 VBR -V {q}"),
            Container::Opus { kbps, mode } => {
                let mode = match mode {
                    OpusMode::Vbr => "VBR",
                    OpusMode::Cvbr => "CVBR",
                    OpusMode::Cbr => "CBR",
                };
                format!("Opus {kbps} kbit/s {mode}")
            }
            Container::Vorbis { rate: VorbisRate::Quality(h) } => format!("Vorbis q{}", f64::from(*h) / 100.0),
            Container::Vorbis { rate: VorbisRate::Kbps(k) } => format!("Vorbis {k} kbit/s"),
        })
    }

    /// Whether the file is lossy: encoded from the float mix, nothing
    /// quantised or dithered by mixc.
    pub fn is_lossy(&self) -> bool {
        matches!(self, Container::Mp3 { .. } | Container::Opus { .. } | Container::Vorbis { .. })
    }
}

/// How an Opus encoder spends its bits (opusenc's `--vbr`, `--cvbr`,
/// `--hard-cbr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpusMode {
    Vbr,
    Cvbr,
    Cbr,
}

impl Export {
    /// Whether the file clips at full scale: integer PCM, and lossy files
    /// (whose players decode to 16- or 24-bit integers); only 32-bit float
    /// WAV holds more.
    pub fn clips_at_full_scale(&self) -> bool {
        self.format != SampleFormat::F32 || self.container.is_lossy()
    }
}

/// The rates an MPEG-1 Layer III file holds.
pub const MP3_RATES: &[u32] = &[32_000, 44_100, 48_000];
/// MPEG-1 Layer III bitrates, kbit/s: all but 56, which the LAME binding
/// (`mp3lame-encoder`) does not offer.
/// Opus bitrates, kbit/s: libopus's range for one or two channels.
pub const OPUS_BITRATES: std::ops::RangeInclusive<u32> = 6..=510;
/// The default Opus bitrate: transparent for most music in stereo.
pub const OPUS_DEFAULT_KBPS: u32 = 160;
/// The one rate Opus runs at (RFC 6716 decodes to 48 kHz).
pub const OPUS_RATE: u32 = 48_000;
pub const MP3_BITRATES: &[u32] = &[32, 40, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];

/// Loudness normalisation targets.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Target {
    /// Integrated loudness, LUFS.
    pub loudness: Option<f64>,
    /// True-peak ceiling, dBTP.
    pub true_peak: Option<f64>,
    /// `true_peak = ... after decoding`: a lossy file's ceiling holds on the
    /// decoded file (encode, decode, lower the limiter by the overshoot).
    pub after_decoding: bool,
}

impl Target {
    pub fn is_set(&self) -> bool {
        self.loudness.is_some() || self.true_peak.is_some()
    }

    /// `self`, with unset fields taken from `fallback`.
    pub fn or(self, fallback: Target) -> Target {
        // The flag belongs to the ceiling it was written with.
        let after_decoding = if self.true_peak.is_some() { self.after_decoding } else { fallback.after_decoding };
        Target {
            loudness: self.loudness.or(fallback.loudness),
            true_peak: self.true_peak.or(fallback.true_peak),
            after_decoding,
        }
    }
}

/// A measurable property of a delivered file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Integrated loudness, LUFS.
    Loudness,
    /// True peak, dBTP.
    TruePeak,
    /// Sample peak, dBFS.
    SamplePeak,
    /// Loudness range, LU.
    LoudnessRange,
    /// Length, seconds.
    Duration,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::Loudness => "loudness",
            Metric::TruePeak => "true_peak",
            Metric::SamplePeak => "sample_peak",
            Metric::LoudnessRange => "lra",
            Metric::Duration => "duration",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Metric::Loudness => "LUFS",
            Metric::TruePeak => "dBTP",
            Metric::SamplePeak => "dBFS",
            Metric::LoudnessRange => "LU",
            Metric::Duration => "s",
        }
    }
}

/// How a QC line compares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// Within `value ± tolerance`.
    Within(f64, f64),
    AtMost(f64),
    AtLeast(f64),
    Below(f64),
    Above(f64),
}

impl Bound {
    pub fn holds(self, x: f64) -> bool {
        match self {
            Bound::Within(v, t) => (x - v).abs() <= t + 1e-9,
            Bound::AtMost(v) => x <= v,
            Bound::AtLeast(v) => x >= v,
            Bound::Below(v) => x < v,
            Bound::Above(v) => x > v,
        }
    }
}

/// One line of a `check { ... }` block.
#[derive(Debug, Clone, PartialEq)]
pub struct QcCheck {
    pub metric: Metric,
    pub bound: Bound,
    /// The line as written, for the report.
    pub text: String,
    pub span: Span,
}

/// Song metadata for exports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub isrc: Option<String>,
    pub extra: Vec<(String, String)>,
    /// `cover = "front.jpg"`: the front cover, embedded in every format
    /// that holds one.
    pub cover: Option<Cover>,
}

/// A cover image, read and checked at check time.
#[derive(Debug, Clone, PartialEq)]
pub struct Cover {
    pub path: PathBuf,
    /// `image/jpeg` or `image/png`.
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    /// Bits per pixel.
    pub depth: u32,
    pub data: std::sync::Arc<Vec<u8>>,
}

/// A checked mix (see the module docs for its invariants).
#[derive(Debug, Clone)]
pub struct MixGraph {
    /// Render rate in Hz.
    pub rate: u32,
    /// Quarter notes per minute, when given.
    pub tempo: Option<f64>,
    /// Beats per bar and the note value of a beat (4/4 unless given).
    pub meter: (u32, u32),
    pub metadata: Metadata,
    pub nodes: Vec<Node>,
    pub exports: Vec<Export>,
    /// Fixed length in frames (`length = ...`); otherwise sources plus tails.
    pub length: Option<u64>,
    /// Delivery QC: every delivered file must pass every line.
    pub checks: Vec<QcCheck>,
    /// The master's loudness targets (each export may override them).
    pub target: Target,
    /// With a target, the limiter that ended the master chain: it runs after
    /// the normalising gain, so the gain cannot push the output over it.
    pub final_limiter: Option<ProcessorCall>,
    /// Every file the mix reads: the `.mix` file, its imports, sources and
    /// audio-file parameters (what `mixc watch` watches).
    pub inputs: Vec<PathBuf>,
}

impl MixGraph {
    pub fn master(&self) -> NodeId {
        self.nodes.len() - 1
    }

    /// Sends relative export paths under `dir` instead of the `.mix` file's folder.
    pub fn redirect_exports(&mut self, dir: &std::path::Path) {
        for e in &mut self.exports {
            if std::path::Path::new(&e.written).is_relative() {
                e.path = dir.join(&e.written);
            }
        }
    }

    pub fn find(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// Each export that would replace one of the song's [`inputs`](Self::inputs),
    /// with that input: paths are compared as the file system resolves them
    /// (links, `.` and `..`), so a link to a stem or `stems/../stems/kick.wav`
    /// is caught as surely as the stem's own name.
    pub fn exports_over_inputs(&self) -> Vec<(&Export, &std::path::Path)> {
        let inputs: Vec<(PathBuf, &std::path::Path)> = self.inputs.iter().map(|p| (resolved(p), p.as_path())).collect();
        let mut found = Vec::new();
        for export in &self.exports {
            let target = resolved(&export.path);
            if let Some((_, input)) = inputs.iter().find(|(r, _)| *r == target) {
                found.push((export, *input));
            }
        }
        found
    }
}

/// Where `path` leads: the file itself when it exists (links followed), else
/// its folder's real path and its name, else the path with `.` and `..`
/// folded, made absolute.
pub fn resolved(path: &std::path::Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    if let (Some(dir), Some(name)) = (absolute.parent(), absolute.file_name()) {
        if let Ok(real_dir) = dir.canonicalize() {
            return real_dir.join(name);
        }
    }
    without_dots(&absolute)
}

/// `path` with `.` dropped and each `..` taking off the part before it,
/// without asking the file system (`a/./b/../c` → `a/c`).
pub fn without_dots(path: &std::path::Path) -> PathBuf {
    let mut folded = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                folded.pop();
            }
            other => folded.push(other),
        }
    }
    folded
}
