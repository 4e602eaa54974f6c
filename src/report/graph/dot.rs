//! The routing as Graphviz DOT: `mixc graph --format dot` (the default).
//! Feed it to `dot -Tsvg` for Graphviz's own layout.

use super::routing::{EdgeKind, NodeBox, Routing};
use crate::ir::NodeRole;

/// The whole DOT document.
pub fn write(r: &Routing) -> String {
    let mut out = String::from("digraph mix {\n");
    out.push_str("    rankdir=LR;\n");
    out.push_str("    node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("    edge [fontname=\"Helvetica\", fontsize=9];\n");
    for b in &r.boxes {
        let (fill, extra) = look(b);
        out.push_str(&format!("    {} [label={}, fillcolor=\"{fill}\"{extra}];\n", quote(&b.name), quote(&label(b))));
    }
    for e in &r.edges {
        let from = quote(&r.boxes[e.from].name);
        let to = quote(&r.boxes[e.to].name);
        let attrs = match e.kind {
            EdgeKind::Out => String::new(),
            EdgeKind::Send => format!(" [style=dashed, label={}]", quote(&e.label)),
            EdgeKind::Key => format!(" [style=dotted, label={}, arrowhead=odot]", quote(&e.label)),
        };
        out.push_str(&format!("    {from} -> {to}{attrs};\n"));
    }
    out.push_str("}\n");
    out
}

/// The name, then the details, one a line.
pub fn label(b: &NodeBox) -> String {
    std::iter::once(b.name.clone()).chain(b.details.iter().cloned()).collect::<Vec<_>>().join("\n")
}

/// Fill colour and extra attributes by role; silent nodes are greyed out.
fn look(b: &NodeBox) -> (&'static str, &'static str) {
    if b.silent {
        return ("gray90", ", fontcolor=\"gray50\", color=\"gray60\"");
    }
    match b.role {
        NodeRole::Track => ("lightblue", ""),
        NodeRole::Bus => ("palegreen", ""),
        NodeRole::Master => ("gold", ", penwidth=2"),
    }
}

/// A DOT string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
