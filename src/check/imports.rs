//! Loading a `.mix` file and everything it imports into one scope of `let`s
//! and `chain`s.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{ChainDef, DeliveryDecl, Expr, Item, Module};
use crate::syntax::parse;

use super::stdlib;

/// A root module with its imports loaded: the names they define, in one scope.
pub struct Loaded {
    pub root: Module,
    pub lets: HashMap<String, Expr>,
    pub chains: HashMap<String, ChainDef>,
    /// `delivery` targets (`target = NAME`).
    pub deliveries: HashMap<String, DeliveryDecl>,
    /// Where each `let`, `chain` or `delivery` name was defined.
    pub origins: HashMap<String, Span>,
}

/// Loads `text` (read from `path`) and its imports. Parse errors and import
/// problems are pushed to `diags`; what could be loaded is returned.
pub fn load(path: &Path, text: &str, sources: &mut SourceMap, diags: &mut Vec<Diagnostic>) -> Option<Loaded> {
    let id = sources.add(path, display_name(path), text);
    let root = match parse(id, text) {
        Ok(m) => m,
        Err(errs) => {
            diags.extend(errs);
            return None;
        }
    };
    let mut loaded = Loaded {
        root,
        lets: HashMap::new(),
        chains: HashMap::new(),
        deliveries: HashMap::new(),
        origins: HashMap::new(),
    };
    let display_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let root_dir = normalize(&display_dir);
    let mut loader = Loader { sources, diags, stack: vec![(normalize(path), id)], root_dir, display_dir };
    let root_items = loaded.root.items.clone();
    loader.collect(&root_items, path, &mut loaded);
    Some(loaded)
}

fn display_name(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Imports inside imports, at most (each level is a recursion of the loader).
pub const MAX_IMPORT_DEPTH: usize = 64;

struct Loader<'a> {
    sources: &'a mut SourceMap,
    diags: &'a mut Vec<Diagnostic>,
    /// Files being loaded, outermost first, for cycle reports.
    stack: Vec<(PathBuf, FileId)>,
    /// The root file's folder, canonical and as the user named it.
    root_dir: PathBuf,
    display_dir: PathBuf,
}

impl Loader<'_> {
    /// How an imported file is named in messages: relative to the root
    /// file's folder as the user wrote it, so messages do not depend on
    /// where the project is checked out.
    fn shown(&self, path: &Path) -> String {
        match path.strip_prefix(&self.root_dir) {
            Ok(rel) => display_name(&self.display_dir.join(rel)),
            Err(_) => display_name(path),
        }
    }

    /// Adds the `let`s and `chain`s of `items` to the scope and follows imports.
    fn collect(&mut self, items: &[Item], path: &Path, loaded: &mut Loaded) {
        for item in items {
            match item {
                Item::Let(l) => self.define(&l.name.node, l.name.span, loaded, |lo| {
                    lo.lets.insert(l.name.node.clone(), l.value.clone());
                }),
                Item::Chain(c) => self.define(&c.name.node, c.name.span, loaded, |lo| {
                    lo.chains.insert(c.name.node.clone(), c.clone());
                }),
                Item::Delivery(d) => self.define(&d.name.node, d.name.span, loaded, |lo| {
                    lo.deliveries.insert(d.name.node.clone(), d.clone());
                }),
                Item::Import(target) => self.import(&target.node, target.span, path, loaded),
                _ => {}
            }
        }
    }

    fn define(&mut self, name: &str, span: Span, loaded: &mut Loaded, insert: impl FnOnce(&mut Loaded)) {
        if let Some(first) = loaded.origins.get(name) {
            let what = if loaded.chains.contains_key(name) {
                "chain"
            } else if loaded.deliveries.contains_key(name) {
                "delivery target"
            } else {
                "constant"
            };
            let first = *first;
            let kind = if first.file == span.file {
                ErrorKind::DuplicateName { what, name: name.to_string() }
            } else {
                ErrorKind::NameClash {
                    what,
                    name: name.to_string(),
                    first: self.sources.get(first.file).name.clone(),
                    second: self.sources.get(span.file).name.clone(),
                }
            };
            let note = format!("`{name}` is first defined here, in `{}`", self.sources.get(first.file).name);
            self.diags.push(Diagnostic::new(kind, span).with_note(first, note));
            return;
        }
        loaded.origins.insert(name.to_string(), span);
        insert(loaded);
    }

    fn import(&mut self, target: &str, span: Span, from: &Path, loaded: &mut Loaded) {
        let (path, text) = match resolve(target, from) {
            Ok(found) => found,
            Err(reason) => {
                let kind = ErrorKind::ImportMissing { path: target.to_string(), reason };
                self.diags.push(Diagnostic::new(kind, span));
                return;
            }
        };
        if self.stack.iter().any(|(p, _)| *p == path) {
            let mut chain: Vec<String> = self.stack.iter().map(|(_, id)| self.sources.get(*id).name.clone()).collect();
            chain.push(self.shown(&path));
            self.diags.push(Diagnostic::new(ErrorKind::ImportCycle { chain }, span));
            return;
        }
        if self.sources.find(&path).is_some() {
            return; // already loaded through another import: its names are in scope
        }
        if self.stack.len() >= MAX_IMPORT_DEPTH {
            let kind = ErrorKind::Other {
                message: format!("imports are nested more than {MAX_IMPORT_DEPTH} files deep"),
                help: Some("import the shared files from one place instead of through a chain".into()),
            };
            self.diags.push(Diagnostic::new(kind, span));
            return;
        }
        let id = self.sources.add(&path, self.shown(&path), text.as_str());
        let module = match parse(id, &text) {
            Ok(m) => m,
            Err(errs) => return self.diags.extend(errs),
        };
        self.reject_song_items(&module);
        self.stack.push((path.clone(), id));
        self.collect(&module.items, &path, loaded);
        self.stack.pop();
    }

    /// An imported file shares `let`s and `chain`s; tracks or exports there would be surprising.
    fn reject_song_items(&mut self, module: &Module) {
        for item in &module.items {
            let span = match item {
                Item::Node(n) => n.span,
                Item::Export(e) => e.span,
                Item::Automate(a) => a.span,
                Item::Setting(s) => s.span,
                Item::Check(c) => c.span,
                Item::Album(a) => a.span,
                Item::Let(_) | Item::Chain(_) | Item::Delivery(_) | Item::Import(_) => continue,
            };
            let kind = ErrorKind::NotAllowedHere {
                what: "this statement".into(),
                here: "in an imported file (imports share only `let`, `chain` and `delivery`)",
            };
            self.diags.push(Diagnostic::new(kind, span));
        }
    }
}

/// Finds an import: `std/...` in the embedded library, anything else relative
/// to the importing file.
fn resolve(target: &str, from: &Path) -> Result<(PathBuf, String), String> {
    if target.starts_with("std/") {
        let text = stdlib::get(target).ok_or_else(|| {
            let names: Vec<&str> = stdlib::FILES.iter().map(|(p, _)| *p).collect();
            format!("the standard library has no such file (it has {})", names.join(", "))
        })?;
        return Ok((PathBuf::from(target), text.to_string()));
    }
    let base = from.parent().unwrap_or(Path::new("."));
    let path = base.join(target);
    let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("no file at `{}`", path.display()),
        _ => e.to_string(),
    })?;
    Ok((normalize(&path), text))
}

/// A canonical form of a path so the same file imported two ways is one file.
fn normalize(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
