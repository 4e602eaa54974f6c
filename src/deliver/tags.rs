//! Metadata written into delivered files: `Tags` (ordered key/value fields,
//! plus the optional BWF `bext` record of WAV files), with the checks that
//! apply before any byte is written. `flac_tags.rs` and `wav_tags.rs` lay
//! them out for each container.

/// A field a delivered file can carry: the well-known ones, and any other.
///
/// | key | FLAC (Vorbis comment) | WAV (`LIST`/`INFO`) |
/// |---|---|---|
/// | `Title` | `TITLE` | `INAM` |
/// | `Artist` | `ARTIST` | `IART` |
/// | `Album` | `ALBUM` | `IPRD` |
/// | `TrackNumber` | `TRACKNUMBER` | `ITRK` |
/// | `TrackTotal` | `TRACKTOTAL` | — |
/// | `Isrc` | `ISRC` | `ISRC` |
/// | `Date` | `DATE` | `ICRD` |
/// | `Genre` | `GENRE` | `IGNR` |
/// | `Comment` | `COMMENT` | `ICMT` |
/// | `Other(name)` | `name` upper-cased | `name` upper-cased, if four letters or digits |
///
/// INFO's `ISRC` id was defined as "source" by the RIFF specification, but
/// delivery tools read it as the recording code, which is what we store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagKey {
    Title,
    Artist,
    Album,
    TrackNumber,
    TrackTotal,
    Isrc,
    Date,
    Genre,
    Comment,
    /// A free field: a Vorbis comment name (printable ASCII, no `=`); it also
    /// goes into WAV files when it is a four-character INFO id such as `ICOP`.
    Other(String),
}

impl TagKey {
    /// The Vorbis comment field name.
    pub fn vorbis_name(&self) -> String {
        match self {
            TagKey::Title => "TITLE".into(),
            TagKey::Artist => "ARTIST".into(),
            TagKey::Album => "ALBUM".into(),
            TagKey::TrackNumber => "TRACKNUMBER".into(),
            TagKey::TrackTotal => "TRACKTOTAL".into(),
            TagKey::Isrc => "ISRC".into(),
            TagKey::Date => "DATE".into(),
            TagKey::Genre => "GENRE".into(),
            TagKey::Comment => "COMMENT".into(),
            TagKey::Other(name) => name.to_ascii_uppercase(),
        }
    }

    /// The RIFF INFO chunk id, if the field has one.
    pub fn info_id(&self) -> Option<[u8; 4]> {
        match self {
            TagKey::Title => Some(*b"INAM"),
            TagKey::Artist => Some(*b"IART"),
            TagKey::Album => Some(*b"IPRD"),
            TagKey::TrackNumber => Some(*b"ITRK"),
            TagKey::TrackTotal => None,
            TagKey::Isrc => Some(*b"ISRC"),
            TagKey::Date => Some(*b"ICRD"),
            TagKey::Genre => Some(*b"IGNR"),
            TagKey::Comment => Some(*b"ICMT"),
            TagKey::Other(name) => {
                let id: [u8; 4] = name.to_ascii_uppercase().as_bytes().try_into().ok()?;
                id.iter().all(u8::is_ascii_alphanumeric).then_some(id)
            }
        }
    }
}

/// Metadata for one delivered file. The default is empty, and an empty
/// `Tags` writes exactly the file an untagged writer wrote: no Vorbis comment
/// block, no `LIST` or `bext` chunk.
///
/// ```
/// use mixc::deliver::tags::{Bext, TagKey, Tags};
/// let tags = Tags::default()
///     .with(TagKey::Title, "Café Noir")
///     .with(TagKey::TrackNumber, "3")
///     .with_bext(Bext { description: "Master".into(), ..Bext::default() });
/// assert_eq!(tags.get(&TagKey::Title), Some("Café Noir"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tags {
    /// Fields in the order they are written; a key may repeat (two artists).
    pub fields: Vec<(TagKey, String)>,
    /// The BWF `bext` chunk of WAV files (FLAC ignores it); `None` writes none.
    pub bext: Option<Bext>,
    /// The front cover: a PICTURE block in FLAC, an APIC frame in MP3, a
    /// `METADATA_BLOCK_PICTURE` comment in Opus and Vorbis; WAV has no
    /// standard place for one.
    pub cover: Option<crate::ir::Cover>,
}

impl Tags {
    /// Appends a field.
    pub fn with(mut self, key: TagKey, value: impl Into<String>) -> Self {
        self.fields.push((key, value.into()));
        self
    }

    /// Sets the `bext` record.
    pub fn with_bext(mut self, bext: Bext) -> Self {
        self.bext = Some(bext);
        self
    }

    /// The first value of `key`.
    pub fn get(&self, key: &TagKey) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.bext.is_none() && self.cover.is_none()
    }

    /// The cover as the body of a FLAC PICTURE block (RFC 9639 §8.8, big-
    /// endian): picture type 3 (front cover), MIME type, an empty
    /// description, width, height, depth, 0 colours, the image.
    pub fn picture(&self) -> Option<Vec<u8>> {
        let c = self.cover.as_ref()?;
        let mut body = Vec::with_capacity(c.data.len() + 64);
        let mut put = |v: u32| body.extend_from_slice(&v.to_be_bytes());
        put(3);
        put(c.mime.len() as u32);
        body.extend_from_slice(c.mime.as_bytes());
        for v in [0, c.width, c.height, c.depth, 0, c.data.len() as u32] {
            body.extend_from_slice(&v.to_be_bytes());
        }
        body.extend_from_slice(&c.data);
        Some(body)
    }

    /// The cover as Ogg files carry it: a `METADATA_BLOCK_PICTURE` comment
    /// holding the PICTURE block in base64 (the Xiph convention opusenc,
    /// oggenc and every tagger follow).
    pub fn picture_comment(&self) -> Option<String> {
        use base64::Engine;
        self.picture().map(|p| base64::engine::general_purpose::STANDARD.encode(p))
    }

    /// The fields as a Vorbis comment body (the Vorbis I specification,
    /// §5): the vendor string, the count, then `NAME=value` each, lengths
    /// 32-bit little-endian. FLAC's VORBIS_COMMENT block and Opus's
    /// `OpusTags` packet carry it as it stands.
    /// With `with_cover` (Opus) the cover goes in as a comment; FLAC gives it
    /// a PICTURE block of its own instead.
    pub fn vorbis_comment(&self, with_cover: bool) -> Vec<u8> {
        let picture = with_cover && self.cover.is_some();
        let put = |body: &mut Vec<u8>, text: &[u8]| {
            body.extend_from_slice(&(text.len() as u32).to_le_bytes());
            body.extend_from_slice(text);
        };
        let mut body = Vec::new();
        put(&mut body, format!("mixc {}", env!("CARGO_PKG_VERSION")).as_bytes());
        body.extend_from_slice(&(self.fields.len() as u32 + u32::from(picture)).to_le_bytes());
        for (key, value) in &self.fields {
            put(&mut body, format!("{}={value}", key.vorbis_name()).as_bytes());
        }
        if picture {
            let encoded = self.picture_comment().unwrap_or_default();
            put(&mut body, format!("METADATA_BLOCK_PICTURE={encoded}").as_bytes());
        }
        body
    }

    /// Why these tags cannot be written, if they cannot: run before the
    /// output file is created, so a bad tag never leaves a partial file.
    pub fn validate(&self) -> Result<(), String> {
        for (key, value) in &self.fields {
            let name = key.vorbis_name();
            let valid_char = |c: char| (' '..='}').contains(&c) && c != '=';
            if name.is_empty() || !name.chars().all(valid_char) {
                return Err(format!("tag name `{name}` must be printable ASCII without `=`"));
            }
            if value.contains('\0') {
                return Err(format!("tag `{name}` contains a NUL character"));
            }
        }
        match &self.bext {
            Some(bext) => bext.validate(self.get(&TagKey::Isrc)),
            None => Ok(()),
        }
    }
}

/// Loudness of the programme as EBU Tech 3285 v2 stores it in `bext`: each
/// value ×100 as a 16-bit integer, `0x7FFF` when `None` (unknown).
///
/// Known only once the render is complete: set it with
/// [`AudioWriter::set_loudness`](super::encode::AudioWriter::set_loudness)
/// before `finish`, which patches the header.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Loudness {
    /// Integrated loudness, LUFS (`LoudnessValue`).
    pub integrated: Option<f64>,
    /// Loudness range, LU (`LoudnessRange`).
    pub range: Option<f64>,
    /// Maximum true peak, dBTP (`MaxTruePeakLevel`).
    pub true_peak: Option<f64>,
    /// Maximum momentary loudness, LUFS (`MaxMomentaryLoudness`).
    pub max_momentary: Option<f64>,
    /// Maximum short-term loudness, LUFS (`MaxShortTermLoudness`).
    pub max_short_term: Option<f64>,
}

impl Loudness {
    /// The five fields in file order.
    pub fn fields(&self) -> [Option<f64>; 5] {
        [self.integrated, self.range, self.true_peak, self.max_momentary, self.max_short_term]
    }
}

/// The Broadcast Wave `bext` record (EBU Tech 3285 version 2). Text fields
/// are written as UTF-8 (the specification asks for ASCII), NUL-padded.
#[derive(Debug, Clone, PartialEq)]
pub struct Bext {
    /// Free description, at most 256 bytes.
    pub description: String,
    /// Who made the file, at most 32 bytes; `mixc` by default.
    pub originator: String,
    /// An unambiguous reference (EBU R 99 USID, say), at most 32 bytes.
    pub originator_reference: String,
    /// `yyyy-mm-dd`, or empty.
    pub origination_date: String,
    /// `hh:mm:ss`, or empty.
    pub origination_time: String,
    /// The first sample's position, in samples since midnight.
    pub time_reference: u64,
    /// SMPTE 330M UMID; all zero when there is none.
    pub umid: [u8; 64],
    /// The programme's loudness, where known at `create`; see [`Loudness`].
    pub loudness: Loudness,
    /// CR/LF-terminated lines describing the coding steps (EBU R 98).
    pub coding_history: String,
    /// Starts the description with `ISRC:<code>` when the tags hold an
    /// ISRC: where the MPG/EBU guidance for ISRCs in Broadcast WAV puts the
    /// code (the INFO `ISRC` entry is written either way).
    pub isrc_in_description: bool,
}

impl Default for Bext {
    fn default() -> Self {
        Bext {
            description: String::new(),
            originator: "mixc".into(),
            originator_reference: String::new(),
            origination_date: String::new(),
            origination_time: String::new(),
            time_reference: 0,
            umid: [0; 64],
            loudness: Loudness::default(),
            coding_history: String::new(),
            isrc_in_description: false,
        }
    }
}

impl Bext {
    /// The Description field as written: the ISRC first, when asked.
    pub fn full_description(&self, isrc: Option<&str>) -> String {
        match isrc {
            Some(code) if self.isrc_in_description && self.description.is_empty() => format!("ISRC:{code}"),
            Some(code) if self.isrc_in_description => format!("ISRC:{code} {}", self.description),
            _ => self.description.clone(),
        }
    }

    fn validate(&self, isrc: Option<&str>) -> Result<(), String> {
        let description = self.full_description(isrc);
        let sized = [
            ("Description", description.as_str(), 256),
            ("Originator", &self.originator, 32),
            ("OriginatorReference", &self.originator_reference, 32),
        ];
        for (field, text, max) in sized {
            if text.len() > max {
                return Err(format!("bext `{field}` holds at most {max} bytes, got {}", text.len()));
            }
        }
        let fixed = [("OriginationDate", &self.origination_date, 10), ("OriginationTime", &self.origination_time, 8)];
        for (field, text, len) in fixed {
            if !text.is_empty() && (text.len() != len || !text.is_ascii()) {
                return Err(format!("bext `{field}` must be {len} ASCII characters, got `{text}`"));
            }
        }
        let texts = [&description, &self.originator, &self.originator_reference, &self.coding_history];
        if texts.iter().any(|t| t.contains('\0')) {
            return Err("bext text contains a NUL character".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_info_ids() {
        let other = |s: &str| TagKey::Other(s.into());
        let cases = [
            (TagKey::Title, "TITLE", Some(*b"INAM")),
            (TagKey::TrackNumber, "TRACKNUMBER", Some(*b"ITRK")),
            (TagKey::TrackTotal, "TRACKTOTAL", None),
            (TagKey::Isrc, "ISRC", Some(*b"ISRC")),
            (other("label"), "LABEL", None),
            (other("icop"), "ICOP", Some(*b"ICOP")),
            (other("I-CO"), "I-CO", None),
        ];
        for (key, vorbis, info) in cases {
            assert_eq!((key.vorbis_name().as_str(), key.info_id()), (vorbis, info), "{key:?}");
        }
    }

    #[test]
    fn isrc_leads_the_description_when_asked() {
        let bext = |description: &str, isrc_in_description| Bext {
            description: description.into(),
            isrc_in_description,
            ..Bext::default()
        };
        let code = Some("GBAYE2400123");
        assert_eq!(bext("Master", true).full_description(code), "ISRC:GBAYE2400123 Master");
        assert_eq!(bext("", true).full_description(code), "ISRC:GBAYE2400123");
        assert_eq!(bext("Master", false).full_description(code), "Master");
        assert_eq!(bext("Master", true).full_description(None), "Master");
    }
}
