//! Text to syntax tree: the pest grammar, the parser and the tree it builds.

pub mod ast;
pub mod fmt;
mod fmt_block;
mod fmt_print;
pub mod parser;
pub mod trivia;

pub use parser::parse;

#[cfg(test)]
mod tests;
