//! Text to syntax tree: the pest grammar, the parser and the tree it builds.

pub mod ast;
pub mod parser;

pub use parser::parse;

#[cfg(test)]
mod tests;
