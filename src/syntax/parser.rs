//! Text to [`Module`]: runs the pest grammar, then builds the AST one rule at a time.
//!
//! The grammar (`grammar/mix.pest`) knows shape only. This module turns its
//! pairs into spanned AST nodes; [`expr`] does values and [`errors`] turns a
//! pest failure into a [`Diagnostic`] a user can act on.

mod errors;
mod expr;
mod scan;

use pest::iterators::Pair;
use pest::Parser as _;

use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::source::{FileId, Span};

use super::ast::{
    AlbumDecl, Automation, Breakpoint, ChainDef, ChainParam, CheckBlock, CompareOp, DeliveryDecl, Entry, ExportDecl,
    Ident, Item, LetDecl, Module, NodeBlock, NodeKind, SendDecl, SendTap, Setting, SongDecl, Spanned,
};

#[derive(pest_derive::Parser)]
#[grammar = "grammar/mix.pest"]
struct MixParser;

/// A step of the build; `Err` carries the diagnostic that ends the current item
/// (boxed: it is large and the `Ok` path is the common one).
type Built<T> = Result<T, Box<Diagnostic>>;

/// Parses one file. On failure returns every problem found: a grammar error
/// stops at the first, but number and escape errors are collected per item.
pub fn parse(file: FileId, text: &str) -> Result<Module, Vec<Diagnostic>> {
    if let Some(at) = scan::Brackets::too_deep(text, MAX_NESTING) {
        return Err(vec![too_deep(file, text, at)]);
    }
    let mut pairs = MixParser::parse(Rule::file, text).map_err(|e| vec![errors::from_pest(file, text, &e)])?;
    let b = Builder { file };
    let mut items = Vec::new();
    let mut diags = Vec::new();
    // `file` is the only top-level pair; its meaningful children are items.
    for pair in pairs.next().into_iter().flat_map(children) {
        match b.item(pair) {
            Ok(item) => items.push(item),
            Err(d) => diags.push(*d),
        }
    }
    if diags.is_empty() {
        Ok(Module { file, items })
    } else {
        Err(diags)
    }
}

/// Deeper bracket nesting than this is refused before parsing: pest and the
/// builder recurse per level, and no real mix needs more than a handful.
const MAX_NESTING: usize = 32;

fn too_deep(file: FileId, text: &str, at: usize) -> Diagnostic {
    let len = text[at..].chars().next().map_or(0, char::len_utf8);
    let kind = ErrorKind::Other {
        message: format!("brackets are nested more than {MAX_NESTING} deep"),
        help: Some("split the value into `let` constants or chains".into()),
    };
    Diagnostic::new(kind, Span::new(file, at, at + len))
}

/// Builds AST nodes from pairs of one file.
struct Builder {
    file: FileId,
}

/// Rules that exist only so errors can name them; they carry no content.
fn is_punctuation(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::eq
            | Rule::comma
            | Rule::lbrace
            | Rule::rbrace
            | Rule::rparen
            | Rule::rbracket
            | Rule::item_end
            | Rule::entry_end
            | Rule::EOI
    )
}

/// The meaningful children of a pair, in order.
fn children(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_punctuation(p.as_rule()))
}

impl Builder {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Spanned::new(pair.as_str().to_string(), self.span(pair))
    }

    /// A grammar invariant did not hold: a bug in mixc, not in the user's file.
    fn internal(&self, span: Span, what: &str) -> Box<Diagnostic> {
        Box::new(Diagnostic::new(
            ErrorKind::Other {
                message: format!("internal parser error: {what}"),
                help: Some("this is a bug in mixc; please report it with the file".into()),
            },
            span,
        ))
    }

    /// The next child, which the grammar guarantees is `rule`.
    fn take<'i>(
        &self,
        it: &mut impl Iterator<Item = Pair<'i, Rule>>,
        rule: Rule,
        parent: Span,
    ) -> Built<Pair<'i, Rule>> {
        match it.next() {
            Some(p) if p.as_rule() == rule => Ok(p),
            Some(p) => Err(self.internal(self.span(&p), &format!("expected {rule:?}, got {:?}", p.as_rule()))),
            None => Err(self.internal(parent, &format!("missing {rule:?}"))),
        }
    }

    /// The next child if it is `rule`.
    fn take_if<'i>(
        &self,
        it: &mut std::iter::Peekable<impl Iterator<Item = Pair<'i, Rule>>>,
        rule: Rule,
    ) -> Option<Pair<'i, Rule>> {
        it.next_if(|p| p.as_rule() == rule)
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Built<Item> {
        let span = self.span(&pair);
        let inner = children(pair).next().ok_or_else(|| self.internal(span, "empty item"))?;
        Ok(match inner.as_rule() {
            Rule::import => Item::Import(self.import(inner)?),
            Rule::let_decl => Item::Let(self.let_decl(inner)?),
            Rule::chain_def => Item::Chain(self.chain_def(inner)?),
            Rule::node_block => Item::Node(self.node_block(inner)?),
            Rule::automate => Item::Automate(self.automate(inner)?),
            Rule::export => Item::Export(self.export(inner)?),
            Rule::check => Item::Check(self.check(inner)?),
            Rule::album => Item::Album(self.album(inner)?),
            Rule::delivery => Item::Delivery(self.delivery(inner)?),
            Rule::setting => Item::Setting(self.setting(inner)?),
            other => return Err(self.internal(span, &format!("unexpected item {other:?}"))),
        })
    }

    fn import(&self, pair: Pair<'_, Rule>) -> Built<Spanned<String>> {
        let span = self.span(&pair);
        let mut it = children(pair).skip(1);
        let path = self.take(&mut it, Rule::string, span)?;
        self.string_lit(path)
    }

    fn let_decl(&self, pair: Pair<'_, Rule>) -> Built<LetDecl> {
        let span = self.span(&pair);
        let mut it = children(pair).skip(1);
        let name = self.ident(&self.take(&mut it, Rule::let_name, span)?);
        let value = self.expr(self.take(&mut it, Rule::expr, span)?)?;
        Ok(LetDecl { name, value, span })
    }

    fn chain_def(&self, pair: Pair<'_, Rule>) -> Built<ChainDef> {
        let span = self.span(&pair);
        let mut it = children(pair).skip(1).peekable();
        let name = self.ident(&self.take(&mut it, Rule::chain_name, span)?);
        let params = match self.take_if(&mut it, Rule::params) {
            Some(p) => children(p).map(|p| self.param(p)).collect::<Built<_>>()?,
            None => Vec::new(),
        };
        let body = self.expr(self.take(&mut it, Rule::expr, span)?)?;
        Ok(ChainDef { name, params, body, span })
    }

    fn param(&self, pair: Pair<'_, Rule>) -> Built<ChainParam> {
        let span = self.span(&pair);
        let mut it = children(pair);
        let name = self.ident(&self.take(&mut it, Rule::param_name, span)?);
        let default = it.next().map(|e| self.expr(e)).transpose()?;
        Ok(ChainParam { name, default, span })
    }

    fn node_block(&self, pair: Pair<'_, Rule>) -> Built<NodeBlock> {
        let span = self.span(&pair);
        let mut it = children(pair).peekable();
        let kw = it.next().ok_or_else(|| self.internal(span, "node without keyword"))?;
        let kind = match kw.as_rule() {
            Rule::kw_track => NodeKind::Track,
            Rule::kw_bus => NodeKind::Bus,
            _ => NodeKind::Master,
        };
        let kind = Spanned::new(kind, self.span(&kw));
        let name = self.take_if(&mut it, Rule::node_name).map(|p| self.ident(&p));
        let entries = self.block(self.take(&mut it, Rule::block, span)?)?;
        Ok(NodeBlock { kind, name, entries, span })
    }

    fn block(&self, pair: Pair<'_, Rule>) -> Built<Vec<Entry>> {
        children(pair).map(|p| self.entry(p)).collect()
    }

    fn entry(&self, pair: Pair<'_, Rule>) -> Built<Entry> {
        let span = self.span(&pair);
        let inner = children(pair).next().ok_or_else(|| self.internal(span, "empty entry"))?;
        Ok(match inner.as_rule() {
            Rule::send => Entry::Send(self.send(inner)?),
            Rule::song => Entry::Song(self.song(inner)?),
            _ => Entry::Setting(self.setting(inner)?),
        })
    }

    fn send(&self, pair: Pair<'_, Rule>) -> Built<SendDecl> {
        let span = self.span(&pair);
        let mut it = children(pair).skip(1).peekable();
        let target = self.ident(&self.take(&mut it, Rule::send_target, span)?);
        let level = self.expr(self.take(&mut it, Rule::expr, span)?)?;
        let tap = self.take_if(&mut it, Rule::tap).map(|p| {
            let tap = if p.as_str() == "pre" { SendTap::Pre } else { SendTap::Post };
            Spanned::new(tap, self.span(&p))
        });
        Ok(SendDecl { target, level, tap, span })
    }

    fn delivery(&self, pair: Pair<'_, Rule>) -> Built<DeliveryDecl> {
        let span = self.span(&pair);
        let mut it = children(pair).skip(1);
        let name = self.ident(&self.take(&mut it, Rule::preset_name, span)?);
        let settings = self.settings(self.take(&mut it, Rule::settings, span)?)?;
        Ok(DeliveryDecl { name, settings, span })
    }

    fn song(&self, pair: Pair<'_, Rule>) -> Built<SongDecl> {
        let (path, settings, span) = self.path_and_settings(pair)?;
        Ok(SongDecl { path, settings, span })
    }

    /// `KEYWORD "path" [{ settings }]`, shared by `song` and `export`.
    fn path_and_settings(&self, pair: Pair<'_, Rule>) -> Built<(Spanned<String>, Vec<Setting>, Span)> {
        let span = self.span(&pair);
        let mut it = children(pair).skip(1);
        let path = self.string_lit(self.take(&mut it, Rule::string, span)?)?;
        let settings = match it.next() {
            Some(p) => self.settings(p)?,
            None => Vec::new(),
        };
        Ok((path, settings, span))
    }

    fn settings(&self, pair: Pair<'_, Rule>) -> Built<Vec<Setting>> {
        children(pair).map(|p| self.setting(p)).collect()
    }

    fn setting(&self, pair: Pair<'_, Rule>) -> Built<Setting> {
        let span = self.span(&pair);
        let mut it = children(pair);
        let key = self.ident(&self.take(&mut it, Rule::setting_key, span)?);
        let op_pair = self.take(&mut it, Rule::op, span)?;
        let op = match op_pair.as_str() {
            "<=" => CompareOp::Le,
            ">=" => CompareOp::Ge,
            "<" => CompareOp::Lt,
            ">" => CompareOp::Gt,
            _ => CompareOp::Eq,
        };
        let op = Spanned::new(op, self.span(&op_pair));
        let value = self.expr(self.take(&mut it, Rule::expr, span)?)?;
        let (mut tolerance, mut after) = (None, None);
        for p in it {
            match p.as_rule() {
                Rule::tolerance => tolerance = Some(self.tolerance(p)?),
                _ => after = children(p).nth(1).map(|w| Box::new(self.ident(&w))),
            }
        }
        Ok(Setting { key, op, value, tolerance, after, span })
    }

    fn automate(&self, pair: Pair<'_, Rule>) -> Built<Automation> {
        let span = self.span(&pair);
        let mut it = children(pair).skip(1);
        let path = self.take(&mut it, Rule::target_path, span)?;
        let target = children(path).map(|seg| self.ident(&seg)).collect();
        let points = it.map(|p| self.breakpoint(p)).collect::<Built<_>>()?;
        Ok(Automation { target, points, span })
    }

    fn breakpoint(&self, pair: Pair<'_, Rule>) -> Built<Breakpoint> {
        let span = self.span(&pair);
        let mut it = children(pair);
        let mut atom =
            || it.next().ok_or_else(|| self.internal(span, "breakpoint too short")).and_then(|p| self.atom(p));
        let position = atom()?;
        let value = atom()?;
        let curve = it.next().map(|p| self.ident(&p));
        Ok(Breakpoint { position, value, curve, span })
    }

    fn export(&self, pair: Pair<'_, Rule>) -> Built<ExportDecl> {
        let (path, settings, span) = self.path_and_settings(pair)?;
        Ok(ExportDecl { path, settings, span })
    }

    fn check(&self, pair: Pair<'_, Rule>) -> Built<CheckBlock> {
        let span = self.span(&pair);
        let mut it = children(pair).skip(1);
        let lines = self.settings(self.take(&mut it, Rule::settings, span)?)?;
        Ok(CheckBlock { lines, span })
    }

    fn album(&self, pair: Pair<'_, Rule>) -> Built<AlbumDecl> {
        let span = self.span(&pair);
        let mut it = children(pair).skip(1);
        let title = self.string_lit(self.take(&mut it, Rule::string, span)?)?;
        let entries = self.block(self.take(&mut it, Rule::block, span)?)?;
        Ok(AlbumDecl { title, entries, span })
    }
}
