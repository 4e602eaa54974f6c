//! The abstract syntax tree: everything spanned, nothing resolved.
//!
//! The parser builds it from `.mix` text; the checker resolves names, units and
//! routing into a [`crate::ir::MixGraph`]. The tree keeps the shape of what the
//! user wrote (processor names are plain identifiers, units are as written) so
//! the checker can point at the exact text of every mistake.

use crate::source::{FileId, Span};

/// A value with the span of the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

pub type Ident = Spanned<String>;

/// One parsed `.mix` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    pub file: FileId,
    pub items: Vec<Item>,
}

/// A top-level statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `import "std/vocal.mix"`
    Import(Spanned<String>),
    /// `rate = 48kHz`, `title = "Night Drive"`, `length = 3m12s`, ...
    Setting(Setting),
    /// `let vox_level = -3dB`
    Let(LetDecl),
    /// `chain vocal(presence = +1.5dB) = highpass(80Hz) -> ...`
    Chain(ChainDef),
    /// `track kick { ... }`, `bus drums { ... }`, `master { ... }`
    Node(NodeBlock),
    /// `automate vox.gain { ... }`
    Automate(Automation),
    /// `export "out/x.wav" { bits = 16 }`
    Export(ExportDecl),
    /// `check { loudness = -14LUFS ± 0.5LU }`
    Check(CheckBlock),
    /// `album "Night Drive EP" { ... }`
    Album(AlbumDecl),
    /// `delivery spotify { loudness = -14LUFS, true_peak = -1dBTP }`
    Delivery(DeliveryDecl),
}

/// `key = value`, or in a `check` block `key <= value` / `key = value ± tol`.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub key: Ident,
    pub op: Spanned<CompareOp>,
    pub value: Expr,
    /// `± 0.5LU` (also written `+-`).
    pub tolerance: Option<Expr>,
    /// `after decoding`: the word after `after` (the checker allows it on
    /// `true_peak` only).
    pub after: Option<Box<Ident>>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Le,
    Ge,
    Lt,
    Gt,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LetDecl {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Track,
    Bus,
    Master,
}

/// `track NAME { entries }`, `bus NAME { entries }` or `master { entries }`.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBlock {
    pub kind: Spanned<NodeKind>,
    /// `None` for `master`.
    pub name: Option<Ident>,
    pub entries: Vec<Entry>,
    pub span: Span,
}

/// A line inside a `{ ... }` block.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Setting(Setting),
    /// `send verb = -12dB pre`
    Send(SendDecl),
    /// `song "01-intro.mix" { gap = 0s }` (album blocks)
    Song(SongDecl),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendTap {
    Pre,
    Post,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SendDecl {
    pub target: Ident,
    pub level: Expr,
    /// `pre` or `post` as written; `None` means post-fader.
    pub tap: Option<Spanned<SendTap>>,
    pub span: Span,
}

/// `automate vox.gain { ... }`; the target is a dotted path
/// (`vox.gain`, or `vox.comp.threshold` for a labelled processor).
#[derive(Debug, Clone, PartialEq)]
pub struct Automation {
    pub target: Vec<Ident>,
    pub points: Vec<Breakpoint>,
    pub span: Span,
}

/// `17:3   -6dB  smooth`
#[derive(Debug, Clone, PartialEq)]
pub struct Breakpoint {
    pub position: Expr,
    pub value: Expr,
    pub curve: Option<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExportDecl {
    pub path: Spanned<String>,
    pub settings: Vec<Setting>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckBlock {
    pub lines: Vec<Setting>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChainDef {
    pub name: Ident,
    pub params: Vec<ChainParam>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChainParam {
    pub name: Ident,
    pub default: Option<Expr>,
    pub span: Span,
}

/// A named delivery target, used as `target = NAME` on the master or an export.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryDecl {
    pub name: Ident,
    pub settings: Vec<Setting>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlbumDecl {
    pub title: Spanned<String>,
    pub entries: Vec<Entry>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SongDecl {
    pub path: Spanned<String>,
    pub settings: Vec<Setting>,
    pub span: Span,
}

/// A value as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number with its unit as written: `-3dB`, `2.5kHz`, `1m30s`, `35%`, `4`, `-inf dB`.
    Quantity(Quantity),
    /// `"stems/kick.wav"` (escapes resolved).
    Str(String),
    /// A bare name: a `let`, a track or bus, a chain, or a word such as `tpdf`.
    Name(String),
    /// `peak(60Hz, +3dB, q: 1.0)`, optionally labelled `eq: peak(...)`.
    Call(Call),
    /// `a -> b -> c`: two or more stages, each a `Call` or a `Name`.
    Chain(Vec<Expr>),
    /// `[100Hz, 1kHz]`
    List(Vec<Expr>),
    /// `17:3.5` — bar 17, beat 3.5 (both 1-based as written).
    BarBeat { bar: f64, beat: f64 },
    /// `1/8`, `1/4.`, `1/8t`, and also `4/4` for `meter`.
    Fraction { num: u32, den: u32, modifier: NoteModifier },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteModifier {
    Plain,
    /// `1/4.` — one and a half times as long.
    Dotted,
    /// `1/8t` — two thirds as long.
    Triplet,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub label: Option<Ident>,
    pub name: Ident,
    pub args: Vec<Arg>,
    /// Span of the parenthesised argument list.
    pub args_span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
    pub span: Span,
}

/// A number and its unit as written. Compound times (`1m30s`) are folded
/// into seconds with unit [`Unit::S`].
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub value: f64,
    pub unit: Unit,
    /// Whether the number was written with an explicit sign (`+2dB`).
    pub signed: bool,
}

/// Units as written. The checker maps them to value kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    /// No unit: `4`, `0.707`.
    None,
    Db,
    Lufs,
    Lu,
    Dbtp,
    Hz,
    KHz,
    Ms,
    S,
    /// Minutes (`m`).
    Min,
    /// Hours (`h`): `1h20m` is how long programmes are written.
    Hour,
    Bpm,
    /// Kilobits per second (`320kbps`), for lossy exports.
    Kbps,
    Percent,
    /// `f` as in `32f` (32-bit float sample format).
    Float,
    /// A unit the language does not know (`-3dBFS`); the checker reports it.
    Unknown(String),
}

impl Unit {
    /// The unit as users write it.
    pub fn as_str(&self) -> &str {
        match self {
            Unit::None => "",
            Unit::Db => "dB",
            Unit::Lufs => "LUFS",
            Unit::Lu => "LU",
            Unit::Dbtp => "dBTP",
            Unit::Hz => "Hz",
            Unit::KHz => "kHz",
            Unit::Ms => "ms",
            Unit::S => "s",
            Unit::Min => "m",
            Unit::Hour => "h",
            Unit::Bpm => "bpm",
            Unit::Kbps => "kbps",
            Unit::Percent => "%",
            Unit::Float => "f",
            Unit::Unknown(s) => s,
        }
    }
}
