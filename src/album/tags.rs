//! The metadata each album deliverable carries: song title, artist, album,
//! track number and ISRC, as Vorbis-comment names (FLAC tags; the WAV
//! writer maps them to its chunks).
//!
//! This is the one place album tags are built; [`super::write`] hands them
//! to the encoder.

use super::Album;

/// A tag: its Vorbis-comment name (`TITLE`, `TRACKNUMBER`, ...) and value.
pub type Tag = (String, String);

/// The tags of song `index`'s own file: the album's `title`/`artist`/`isrc`
/// for the song, else the song file's own, and its place on the album.
pub fn song_tags(album: &Album, index: usize) -> Vec<Tag> {
    let song = &album.songs[index];
    let mut tags = vec![("TITLE".to_string(), song.title.clone())];
    if let Some(artist) = song.artist.as_ref().or(album.artist.as_ref()) {
        tags.push(("ARTIST".into(), artist.clone()));
    }
    tags.push(("ALBUM".into(), album.title.clone()));
    if let Some(artist) = &album.artist {
        tags.push(("ALBUMARTIST".into(), artist.clone()));
    }
    tags.push(("TRACKNUMBER".into(), (index + 1).to_string()));
    tags.push(("TRACKTOTAL".into(), album.songs.len().to_string()));
    if let Some(isrc) = &song.isrc {
        tags.push(("ISRC".into(), isrc.clone()));
    }
    tags.extend(extra(album));
    tags
}

/// The tags of the whole album in one file (the CUE sheet beside it has the
/// songs).
pub fn album_tags(album: &Album) -> Vec<Tag> {
    let mut tags = vec![("TITLE".to_string(), album.title.clone()), ("ALBUM".into(), album.title.clone())];
    if let Some(artist) = &album.artist {
        tags.push(("ARTIST".into(), artist.clone()));
        tags.push(("ALBUMARTIST".into(), artist.clone()));
    }
    tags.extend(extra(album));
    tags
}

/// `genre`, `year` (as `DATE`), `composer`, `comment`, `copyright`.
fn extra(album: &Album) -> impl Iterator<Item = Tag> + '_ {
    album.extra.iter().map(|(k, v)| {
        let name = if k == "year" { "DATE".to_string() } else { k.to_ascii_uppercase() };
        (name, v.clone())
    })
}
