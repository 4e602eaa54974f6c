//! pest → AST (stub: to be replaced).

use crate::diagnostic::Diagnostic;
use crate::source::FileId;

use super::ast::Module;

/// Parses one file.
pub fn parse(file: FileId, _text: &str) -> Result<Module, Vec<Diagnostic>> {
    Ok(Module { file, items: Vec::new() })
}
