//! The routing drawn without Graphviz: laid out by `layout-rs`, written as
//! SVG, and rasterised to PNG by `resvg` for `--format png`.

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::dot::label;
use super::routing::{EdgeKind, NodeBox, Routing};
use crate::ir::NodeRole;

const FONT_SIZE: usize = 14;

/// The routing as an SVG document.
pub fn draw(r: &Routing) -> String {
    let mut vg = VisualGraph::new(Orientation::TopToBottom);
    let handles: Vec<_> = r.boxes.iter().map(|b| vg.add_node(element(b))).collect();
    for e in &r.edges {
        let style = match e.kind {
            EdgeKind::Out => LineStyleKind::Normal,
            EdgeKind::Send => LineStyleKind::Dashed,
            EdgeKind::Key => LineStyleKind::Dotted,
        };
        let look = StyleAttr::new(Color::fast("black"), 1, None, 0, FONT_SIZE - 2);
        let arrow = Arrow::new(LineEndKind::None, LineEndKind::Arrow, style, &e.label, &look, &None, &None);
        vg.add_edge(arrow, handles[e.from], handles[e.to]);
    }
    let mut svg = SVGWriter::new();
    if !r.boxes.is_empty() {
        vg.do_it(false, false, false, &mut svg);
    }
    svg.finalize()
}

fn element(b: &NodeBox) -> Element {
    let fill = match (b.silent, b.role) {
        (true, _) => "lightgray",
        (false, NodeRole::Track) => "lightblue",
        (false, NodeRole::Bus) => "palegreen",
        (false, NodeRole::Master) => "gold",
    };
    let width = if b.role == NodeRole::Master { 2 } else { 1 };
    let look = StyleAttr::new(Color::fast("black"), width, Some(Color::fast(fill)), 8, FONT_SIZE);
    let shape = ShapeKind::new_box(&label(b));
    // Shapes take the flipped orientation, as layout-rs's own DOT builder does.
    // Top to bottom: layout-rs sizes multi-line boxes correctly only that way.
    let dir = Orientation::TopToBottom.flip();
    let size = get_shape_size(dir, &shape, FONT_SIZE, false);
    Element::create(shape, look, dir, size)
}

/// An SVG document rendered to PNG at its own size (twice that, for sharper text).
pub fn rasterise(svg: &str) -> Result<Vec<u8>, String> {
    let mut options = resvg::usvg::Options::default();
    let db = options.fontdb_mut();
    db.load_system_fonts();
    // layout-rs names no font family the system may have; use any sans face.
    let family = db
        .faces()
        .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
        .find(|name| name.contains("Sans"))
        .or_else(|| db.faces().next().and_then(|f| f.families.first().map(|(n, _)| n.clone())));
    if let Some(family) = family {
        options.font_family = family.clone();
        let db = options.fontdb_mut();
        db.set_serif_family(family.clone());
        db.set_sans_serif_family(family.clone());
        db.set_monospace_family(family);
    }
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| format!("the SVG does not parse: {e}"))?;
    let size = tree.size().to_int_size().scale_by(2.0).ok_or("the drawing is empty")?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("the drawing is empty")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(2.0, 2.0), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| format!("cannot encode the PNG: {e}"))
}
