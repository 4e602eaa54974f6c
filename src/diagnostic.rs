//! One diagnostic type for every mistake in a `.mix` file, rendered by miette.
//!
//! A [`Diagnostic`] is a kind (what went wrong, with the names involved) plus
//! where: a primary span and optional secondary spans. Every sentence the user
//! reads is written in [`ErrorKind`]'s `message`, `label` and `help` — one
//! place, lower-case, names in backticks.

mod render;

use std::fmt;

use crate::source::{SourceMap, Span};

/// What went wrong. Messages live in the `impl` below, nowhere else.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text does not fit the grammar. `expected` is a plain-English list.
    Syntax {
        expected: String,
        found: String,
    },
    UnknownProcessor {
        name: String,
        suggestion: Option<String>,
    },
    UnknownParameter {
        processor: String,
        name: String,
        suggestion: Option<String>,
        valid: Vec<String>,
    },
    UnknownSetting {
        block: String,
        name: String,
        suggestion: Option<String>,
        valid: Vec<String>,
    },
    /// A track, bus or other name that does not exist.
    UnknownName {
        what: &'static str,
        name: String,
        suggestion: Option<String>,
    },
    UnknownUnit {
        unit: String,
        suggestion: Option<String>,
    },
    UnknownWord {
        what: &'static str,
        word: String,
        valid: Vec<String>,
    },
    WrongKind {
        expected: String,
        found: String,
        example: String,
    },
    OutOfRange {
        what: String,
        value: String,
        range: String,
    },
    MissingArgument {
        processor: String,
        name: String,
        kind: String,
    },
    TooManyArguments {
        processor: String,
        takes: usize,
        given: usize,
    },
    DuplicateArgument {
        processor: String,
        name: String,
    },
    DuplicateName {
        what: &'static str,
        name: String,
    },
    /// Two exports writing the same file.
    DuplicateExport {
        path: String,
    },
    /// The same name defined in two files.
    NameClash {
        what: &'static str,
        name: String,
        first: String,
        second: String,
    },
    DuplicateSetting {
        name: String,
    },
    RoutingCycle {
        path: Vec<String>,
    },
    SidechainCycle {
        path: Vec<String>,
    },
    MissingSource {
        path: String,
        reason: String,
    },
    UnreadableSource {
        path: String,
        reason: String,
    },
    TooManyChannels {
        path: String,
        channels: usize,
    },
    NeedsTempo {
        what: &'static str,
    },
    NotYetSupported {
        what: String,
        help: String,
    },
    ImportMissing {
        path: String,
        reason: String,
    },
    ImportCycle {
        chain: Vec<String>,
    },
    NotAllowedHere {
        what: String,
        here: &'static str,
    },
    MissingSetting {
        block: String,
        name: &'static str,
        example: &'static str,
    },
    /// A `song "..."` of an album whose file cannot be read.
    MissingSong {
        path: String,
        reason: String,
    },
    /// A song of an album that does not check on its own.
    SongHasErrors {
        path: String,
        count: usize,
    },
    /// A statement an album file cannot hold (`track`, `master`, a top-level setting, ...).
    NotInAlbum {
        what: String,
        /// A setting, which belongs inside the `album` block.
        setting: bool,
    },
    /// `{name}` in an export template that mixc does not fill in.
    UnknownPlaceholder {
        name: String,
        suggestion: Option<String>,
        valid: Vec<String>,
    },
    NegativeGap {
        value: String,
    },
    /// A per-band list (`threshold: [...]`) without one value a band.
    BandCount {
        processor: String,
        name: String,
        given: usize,
        bands: usize,
    },
    /// A split frequency not above the one before it.
    SplitOrder {
        split: String,
        previous: String,
    },
    TooManyBands {
        processor: String,
        given: usize,
        max: usize,
    },
    EmptyList {
        processor: String,
        name: String,
    },
    /// An automation lane on a parameter fixed when the processor is built.
    NotAutomatable {
        what: String,
        help: String,
    },
    /// A file mixc was given cannot be read at all (the `.mix` itself, a
    /// folder given as one): mixc could not run, exit 2.
    CannotRead {
        message: String,
        help: String,
    },
    /// Anything else with a ready-made sentence.
    Other {
        message: String,
        help: Option<String>,
    },
}

impl ErrorKind {
    /// The one-sentence headline.
    pub fn message(&self) -> String {
        use ErrorKind::*;
        match self {
            Syntax { expected, found } => format!("syntax error: expected {expected}, found {found}"),
            UnknownProcessor { name, .. } => format!("unknown processor `{name}`"),
            UnknownParameter { processor, name, .. } => {
                format!("`{processor}` has no parameter `{name}`")
            }
            UnknownSetting { block, name, .. } => format!("unknown setting `{name}` in {block}"),
            UnknownName { what, name, .. } => format!("unknown {what} `{name}`"),
            UnknownUnit { unit, .. } => format!("unknown unit `{unit}`"),
            UnknownWord { what, word, .. } => format!("`{word}` is not a valid {what}"),
            WrongKind { expected, found, .. } => format!("expected {expected}, found {found}"),
            OutOfRange { what, value, .. } => format!("{what} is out of range: `{value}`"),
            MissingArgument { processor, name, .. } => {
                format!("`{processor}` needs a value for `{name}`")
            }
            TooManyArguments { processor, takes, given } => format!(
                "`{processor}` takes {takes} positional argument{} but {given} were given",
                if *takes == 1 { "" } else { "s" }
            ),
            DuplicateArgument { processor, name } => {
                format!("`{name}` is given twice to `{processor}`")
            }
            DuplicateName { what, name } => format!("{what} `{name}` is defined twice"),
            DuplicateExport { path } => format!("two exports write `{path}`"),
            NameClash { what, name, first, second } => {
                format!("{what} `{name}` is defined in both `{first}` and `{second}`")
            }
            DuplicateSetting { name } => format!("`{name}` is set twice"),
            RoutingCycle { path } => format!("routing cycle: {}", arrow_path(path)),
            SidechainCycle { path } => {
                format!("sidechain key makes a cycle: {}", arrow_path(path))
            }
            MissingSource { path, .. } => format!("source file `{path}` not found"),
            UnreadableSource { path, reason } => {
                format!("cannot read source file `{path}`: {reason}")
            }
            TooManyChannels { path, channels } => {
                format!("source `{path}` has {channels} channels; mixc reads mono and stereo sources")
            }
            NeedsTempo { what } => format!("{what} needs a `tempo`"),
            NotYetSupported { what, .. } => format!("{what} is not supported yet"),
            ImportMissing { path, reason } => format!("cannot import `{path}`: {reason}"),
            ImportCycle { chain } => format!("import cycle: {}", arrow_path(chain)),
            NotAllowedHere { what, here } => format!("{what} is not allowed {here}"),
            MissingSetting { block, name, .. } => format!("{block} has no `{name}`"),
            MissingSong { path, reason } => format!("cannot read song `{path}`: {reason}"),
            SongHasErrors { path, count } => {
                format!("song `{path}` has {count} error{}", if *count == 1 { "" } else { "s" })
            }
            NotInAlbum { what, .. } => format!("{what} cannot be in an album file"),
            UnknownPlaceholder { name, .. } => format!("unknown placeholder `{{{name}}}` in the export path"),
            NegativeGap { value } => format!("a gap cannot be negative: `{value}`"),
            BandCount { processor, name, given, bands } => {
                format!("`{name}` of `{processor}` has {given} value{} for {bands} bands", plural(*given))
            }
            SplitOrder { split, previous } => {
                format!("split frequencies must rise: `{split}` comes after `{previous}`")
            }
            TooManyBands { processor, given, max } => {
                format!("`{processor}` takes at most {max} split frequencies ({} bands), not {given}", max + 1)
            }
            EmptyList { processor, name } => format!("`{name}` of `{processor}` is an empty list"),
            NotAutomatable { what, .. } => format!("{what} cannot be automated"),
            CannotRead { message, .. } | Other { message, .. } => message.clone(),
        }
    }

    /// The short text under the caret.
    pub fn label(&self) -> String {
        use ErrorKind::*;
        match self {
            Syntax { expected, .. } => format!("expected {expected}"),
            UnknownProcessor { .. } => "not a processor or chain".into(),
            UnknownParameter { .. } => "unknown parameter".into(),
            UnknownSetting { .. } => "unknown setting".into(),
            UnknownName { what, .. } => format!("no such {what}"),
            UnknownUnit { .. } => "unknown unit".into(),
            UnknownWord { .. } => "not recognised".into(),
            WrongKind { expected, .. } => format!("expected {expected}"),
            OutOfRange { range, .. } => format!("must be {range}"),
            MissingArgument { name, .. } => format!("`{name}` missing"),
            TooManyArguments { .. } => "too many arguments".into(),
            DuplicateArgument { .. } => "given again here".into(),
            DuplicateName { .. } | NameClash { .. } => "defined again here".into(),
            DuplicateExport { .. } => "the same file again".into(),
            DuplicateSetting { .. } => "set again here".into(),
            RoutingCycle { .. } | SidechainCycle { .. } => "this closes the cycle".into(),
            MissingSource { .. } => "file not found".into(),
            UnreadableSource { .. } => "unreadable audio".into(),
            TooManyChannels { .. } => "too many channels".into(),
            NeedsTempo { .. } => "needs a tempo".into(),
            NotYetSupported { .. } => "not supported yet".into(),
            ImportMissing { .. } => "cannot import".into(),
            ImportCycle { .. } => "imports itself".into(),
            NotAllowedHere { .. } => "not allowed here".into(),
            MissingSetting { name, .. } => format!("`{name}` missing"),
            MissingSong { .. } => "cannot read this song".into(),
            SongHasErrors { .. } => "this song does not check".into(),
            NotInAlbum { .. } => "not allowed in an album file".into(),
            UnknownPlaceholder { .. } => "unknown placeholder".into(),
            NegativeGap { .. } => "must be 0s or more".into(),
            BandCount { given, .. } => format!("{given} value{}", plural(*given)),
            SplitOrder { .. } => "not above the split before it".into(),
            TooManyBands { given, .. } => format!("{given} splits"),
            EmptyList { .. } => "empty".into(),
            NotAutomatable { .. } => "fixed when the processor is built".into(),
            CannotRead { .. } | Other { .. } => "here".into(),
        }
    }

    /// What to do about it.
    pub fn help(&self) -> Option<String> {
        use ErrorKind::*;
        let did_you_mean = |s: &Option<String>| s.as_ref().map(|s| format!("did you mean `{s}`?"));
        match self {
            Syntax { .. } => Some("check the line against the examples in LANGUAGE.md".into()),
            UnknownProcessor { suggestion, .. } => {
                did_you_mean(suggestion).or_else(|| Some("`mixc help` lists the processors".into()))
            }
            UnknownParameter { suggestion, valid, processor, .. } => {
                did_you_mean(suggestion).or_else(|| Some(format!("`{processor}` takes: {}", backticked(valid))))
            }
            UnknownSetting { suggestion, valid, .. } => {
                did_you_mean(suggestion).or_else(|| Some(format!("valid settings here: {}", backticked(valid))))
            }
            UnknownName { suggestion, what, .. } => {
                did_you_mean(suggestion).or_else(|| Some(format!("define the {what} first, or check the spelling")))
            }
            UnknownUnit { suggestion, .. } => did_you_mean(suggestion)
                .or_else(|| Some("units are dB, LUFS, LU, dBTP, Hz, kHz, ms, s, m, bpm, %".into())),
            UnknownWord { valid, .. } => Some(format!("use one of {}", backticked(valid))),
            WrongKind { example, .. } => Some(format!("write it like `{example}`")),
            OutOfRange { .. } => None,
            MissingArgument { name, kind, .. } => Some(format!("add `{name}: ...` with a {kind}")),
            TooManyArguments { .. } => Some("name the extra arguments, like `q: 0.7`".into()),
            DuplicateArgument { .. } | DuplicateSetting { .. } => Some("remove one of them".into()),
            DuplicateName { .. } => Some("give each one its own name".into()),
            DuplicateExport { .. } => {
                Some("give each export its own file name (e.g. `song.wav` and `song-16bit.wav`)".into())
            }
            NameClash { .. } => Some("rename one of them, or import only one of the files".into()),
            RoutingCycle { .. } => {
                Some("a bus cannot feed itself; route one of them to another bus or `master`".into())
            }
            SidechainCycle { .. } => Some("a sidechain key must not depend on the node it controls".into()),
            MissingSource { .. } => Some("paths are relative to the .mix file".into()),
            UnreadableSource { .. } => Some("mixc reads WAV, FLAC, MP3, OGG/Vorbis and AIFF".into()),
            TooManyChannels { .. } => Some("split it into mono or stereo stems".into()),
            NeedsTempo { .. } => Some("add a line like `tempo = 120bpm` at the top".into()),
            NotYetSupported { help, .. } => Some(help.clone()),
            ImportMissing { .. } => {
                Some("paths are relative to the importing file; the standard library is `std/...`".into())
            }
            ImportCycle { .. } => Some("remove one of the imports".into()),
            NotAllowedHere { .. } => None,
            MissingSetting { example, .. } => Some(format!("add a line like `{example}`")),
            MissingSong { .. } => Some("song paths are relative to the album file".into()),
            SongHasErrors { path, .. } => {
                Some(format!("each song is checked as if rendered alone: `mixc check {path}` shows the same"))
            }
            NotInAlbum { setting: true, .. } => Some("album settings go inside the `album \"...\" { }` block".into()),
            NotInAlbum { setting: false, .. } => Some(
                "an album only lists songs: write tracks, buses and the master in a song's own `.mix` file and add \
                 it with `song \"file.mix\"`"
                    .into(),
            ),
            UnknownPlaceholder { suggestion, valid, .. } => did_you_mean(suggestion)
                .map(|d| format!("{d} (placeholders: {})", braced(valid)))
                .or_else(|| Some(format!("placeholders: {}", braced(valid)))),
            NegativeGap { .. } => {
                Some("use `0s` for a gapless transition, or `crossfade = 2s` to overlap two songs".into())
            }
            BandCount { .. } => {
                Some("give one value a band, lowest band first, or a single value for every band".into())
            }
            SplitOrder { .. } => Some("list the split frequencies from low to high, like `[120Hz, 2kHz]`".into()),
            TooManyBands { .. } => Some("merge neighbouring bands: remove a split frequency".into()),
            EmptyList { .. } => Some("give at least one value, lowest band first, or leave the brackets out".into()),
            NotAutomatable { help, .. } => Some(help.clone()),
            CannotRead { help, .. } => Some(help.clone()),
            Other { help, .. } => help.clone(),
        }
    }
}

/// "s" after a count other than one.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn arrow_path(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" -> ")
}

fn braced(names: &[String]) -> String {
    names.iter().map(|n| format!("`{{{n}}}`")).collect::<Vec<_>>().join(", ")
}

fn backticked(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// A mistake in a `.mix` file: what and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub kind: ErrorKind,
    pub span: Span,
    /// Further places that explain the error (the definition a call refers to, ...).
    pub notes: Vec<(Span, String)>,
}

impl Diagnostic {
    pub fn new(kind: ErrorKind, span: Span) -> Self {
        Diagnostic { kind, span, notes: Vec::new() }
    }

    pub fn with_note(mut self, span: Span, text: impl Into<String>) -> Self {
        self.notes.push((span, text.into()));
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind.message())
    }
}

/// The closest candidate to `name`, when it is close enough to be a likely typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let close = candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.len().max(name.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string());
    // `peak` for `true_peak`, `shelf` for `low_shelf`: a word of the name.
    close.or_else(|| {
        let part = |c: &&&str| lower.len() >= 3 && c.split('_').any(|w| w.eq_ignore_ascii_case(&lower));
        candidates.iter().find(part).map(|c| c.to_string())
    })
}

/// Several diagnostics with the files they point into, ready to print.
#[derive(Debug, Clone)]
pub struct Report {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Renders every diagnostic as miette prints it, without colour, at `width` columns.
    pub fn render_plain(&self, width: usize) -> String {
        render::render(self, false, width)
    }

    /// Renders for a terminal (colour when `color`).
    pub fn render(&self, color: bool, width: usize) -> String {
        render::render(self, color, width)
    }
}

impl Report {
    /// True when every diagnostic says an input could not be read (a missing
    /// or unreadable `.mix`, source or audio parameter) rather than that the
    /// `.mix` text is wrong: the README's exit status 2, "could not run".
    pub fn could_not_run(&self) -> bool {
        use ErrorKind::{CannotRead, ImportMissing, MissingSong, MissingSource, UnreadableSource};
        !self.diagnostics.is_empty()
            && self.diagnostics.iter().all(|d| {
                matches!(
                    d.kind,
                    CannotRead { .. }
                        | ImportMissing { .. }
                        | MissingSong { .. }
                        | MissingSource { .. }
                        | UnreadableSource { .. }
                )
            })
    }

    /// The files the report's diagnostics were read from (not the embedded library).
    pub fn files(&self) -> Vec<std::path::PathBuf> {
        self.sources.files().map(|(_, f)| f.path.clone()).filter(|p| !p.starts_with("std/")).collect()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_plain(100))
    }
}

impl std::error::Error for Report {}
