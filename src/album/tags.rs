//! The metadata each album deliverable carries. A song's own file: its title,
//! artist and ISRC (the album's `song` settings, else the song file's own),
//! the album's title and artist, its track number and the track count. The
//! whole album in one file: the album's title and artist (the CUE sheet beside
//! it names the songs). Album settings such as `genre` and `year` go in both.
//!
//! This is the one place album tags are built; [`super::write`] hands them to
//! the encoder, through [`crate::deliver::song_tags`] (Vorbis comments in
//! FLAC, `LIST`/`INFO` and a `bext` chunk in WAV).

use super::Album;
use crate::deliver::tags::{TagKey, Tags};
use crate::ir::{Export, Metadata};

/// The tags of song `index`'s own file, for `export`.
pub fn song_tags(album: &Album, index: usize, export: &Export) -> Tags {
    let song = &album.songs[index];
    let metadata = Metadata {
        title: Some(song.title.clone()),
        artist: song.artist.clone().or_else(|| album.artist.clone()),
        album: Some(album.title.clone()),
        isrc: song.isrc.clone(),
        extra: album.extra.clone(),
        cover: song.graph.metadata.cover.clone().or_else(|| album.cover.clone()),
    };
    let mut tags = crate::deliver::song_tags(&metadata, export)
        .with(TagKey::TrackNumber, (index + 1).to_string())
        .with(TagKey::TrackTotal, album.songs.len().to_string());
    if let Some(artist) = &album.artist {
        tags = tags.with(TagKey::Other("ALBUMARTIST".into()), artist.clone());
    }
    tags
}

/// The tags of the whole album in one file, for `export`.
pub fn album_tags(album: &Album, export: &Export) -> Tags {
    let metadata = Metadata {
        title: Some(album.title.clone()),
        artist: album.artist.clone(),
        album: Some(album.title.clone()),
        isrc: None,
        extra: album.extra.clone(),
        cover: album.cover.clone(),
    };
    let mut tags = crate::deliver::song_tags(&metadata, export);
    if let Some(artist) = &album.artist {
        tags = tags.with(TagKey::Other("ALBUMARTIST".into()), artist.clone());
    }
    tags
}
