//! `mixc graph`: a song's routing drawn as a picture.
//!
//! [`routing::Routing`] is the drawing's model (nodes with labels, edges with
//! a style), built from a checked [`MixGraph`](crate::ir::MixGraph). It is
//! written out as Graphviz DOT by [`dot`], or laid out and drawn in Rust by
//! [`svg`] (no Graphviz needed), and rasterised to PNG from that SVG.

pub mod dot;
pub mod routing;
pub mod svg;

use std::path::Path;

use crate::diagnostic::Report;

/// What `mixc graph` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Dot,
    Svg,
    Png,
}

/// Why a drawing could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The `.mix` file has errors.
    #[error("the .mix file has errors")]
    Mix(Box<Report>),
    #[error("cannot draw the graph: {0}")]
    Draw(String),
}

/// Checks `file` and draws its routing.
pub fn draw_file(file: &Path, format: Format) -> Result<Vec<u8>, Error> {
    let graph = crate::check::check_path(file).map_err(|r| Error::Mix(Box::new(r)))?;
    let outs = routing::outs_in_file(file);
    let model = routing::Routing::new(&graph, &outs);
    match format {
        Format::Dot => Ok(dot::write(&model).into_bytes()),
        Format::Svg => Ok(svg::draw(&model).into_bytes()),
        Format::Png => svg::rasterise(&svg::draw(&model)).map_err(Error::Draw),
    }
}
