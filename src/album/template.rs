//! Export paths with placeholders, one file per song: `out/songs/{n}-{title}.wav`.

use super::Album;

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &["n", "title", "artist", "album"];

/// A parsed export path: text and placeholders.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    /// An index into [`PLACEHOLDERS`].
    Field(usize),
}

/// A mistake in a template, at a byte range of its text.
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateError {
    /// `{` with no `}` after it.
    Unclosed { start: usize },
    /// `{name}` that is not one of [`PLACEHOLDERS`].
    Unknown { name: String, start: usize, end: usize },
}

/// What the placeholders of one song's file name stand for.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
    /// 1-based track number.
    pub n: usize,
    pub count: usize,
    pub title: String,
    pub artist: String,
    pub album: String,
}

impl Fields {
    /// The fields of song `index` of `album`.
    pub fn of(album: &Album, index: usize) -> Fields {
        let song = &album.songs[index];
        let artist = song.artist.clone().or_else(|| album.artist.clone()).unwrap_or_else(|| "Unknown Artist".into());
        Fields { n: index + 1, count: album.songs.len(), title: song.title.clone(), artist, album: album.title.clone() }
    }
}

/// Whether an export path is a template (any `{`).
pub fn is_template(path: &str) -> bool {
    path.contains('{')
}

impl Template {
    /// Parses `text`; every mistake is returned, with where it is.
    pub fn parse(text: &str) -> Result<Template, Vec<TemplateError>> {
        let mut parts = Vec::new();
        let mut errors = Vec::new();
        let mut rest = 0;
        while let Some(open) = text[rest..].find('{').map(|i| rest + i) {
            if open > rest {
                parts.push(Part::Text(text[rest..open].to_string()));
            }
            let Some(close) = text[open..].find('}').map(|i| open + i) else {
                errors.push(TemplateError::Unclosed { start: open });
                rest = text.len();
                break;
            };
            let name = &text[open + 1..close];
            match PLACEHOLDERS.iter().position(|p| *p == name) {
                Some(i) => parts.push(Part::Field(i)),
                None => errors.push(TemplateError::Unknown { name: name.into(), start: open, end: close + 1 }),
            }
            rest = close + 1;
        }
        if rest < text.len() {
            parts.push(Part::Text(text[rest..].to_string()));
        }
        if errors.is_empty() {
            Ok(Template { parts })
        } else {
            Err(errors)
        }
    }

    /// The path for one song: `{n}` zero-padded to the width of the track
    /// count (at least two digits), the other fields made safe as file names.
    pub fn expand(&self, fields: &Fields) -> String {
        let width = fields.count.to_string().len().max(2);
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => t.clone(),
                Part::Field(0) => format!("{:0width$}", fields.n),
                Part::Field(1) => file_name(&fields.title),
                Part::Field(2) => file_name(&fields.artist),
                Part::Field(_) => file_name(&fields.album),
            })
            .collect()
    }
}

/// `text` as one file-name component: path separators, characters Windows
/// forbids (`:*?"<>|`) and control characters become `_`; leading and
/// trailing spaces and dots go (so `..` cannot climb a folder).
pub fn file_name(text: &str) -> String {
    let replaced: String =
        text.chars()
            .map(|c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let trimmed = replaced.trim_matches(|c: char| c == ' ' || c == '.');
    if trimmed.is_empty() {
        "_".into()
    } else {
        trimmed.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(n: usize, count: usize, title: &str) -> Fields {
        Fields { n, count, title: title.into(), artist: "The Band".into(), album: "EP".into() }
    }

    #[test]
    fn placeholders_expand() {
        let t = Template::parse("out/{artist}/{n}-{title}.wav").expect("parses");
        assert_eq!(t.expand(&fields(3, 12, "Night Drive")), "out/The Band/03-Night Drive.wav");
        assert_eq!(t.expand(&fields(7, 120, "x")), "out/The Band/007-x.wav");
    }

    #[test]
    fn titles_are_made_safe_as_file_names() {
        let t = Template::parse("{n} {title}.flac").expect("parses");
        assert_eq!(t.expand(&fields(1, 2, "AC/DC: \"Live?\"")), "01 AC_DC_ _Live__.flac");
        assert_eq!(file_name(".."), "_");
        assert_eq!(file_name(" .hidden. "), "hidden");
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_reported_where_they_are() {
        let errors = Template::parse("{n}-{titel}-{album.wav").expect_err("bad");
        assert_eq!(
            errors,
            vec![
                TemplateError::Unknown { name: "titel".into(), start: 4, end: 11 },
                TemplateError::Unclosed { start: 12 },
            ]
        );
    }
}
