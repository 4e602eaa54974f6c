//! The part of libopus's C interface mixc uses: one encoder and one decoder
//! per stream (`opus.h`), with the request numbers of `opus_defines.h`.
//! The library itself is built by `build.rs` from `libopus/` (BSD licence,
//! `libopus/COPYING`).

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_int};

#[repr(C)]
pub struct OpusEncoder {
    _opaque: [u8; 0],
}

#[repr(C)]
pub struct OpusDecoder {
    _opaque: [u8; 0],
}

pub const OPUS_OK: c_int = 0;
pub const OPUS_APPLICATION_AUDIO: c_int = 2049;
pub const OPUS_SIGNAL_MUSIC: i32 = 3002;
pub const OPUS_SET_BITRATE_REQUEST: c_int = 4002;
pub const OPUS_SET_VBR_REQUEST: c_int = 4006;
pub const OPUS_SET_COMPLEXITY_REQUEST: c_int = 4010;
pub const OPUS_SET_VBR_CONSTRAINT_REQUEST: c_int = 4020;
pub const OPUS_SET_SIGNAL_REQUEST: c_int = 4024;
pub const OPUS_GET_LOOKAHEAD_REQUEST: c_int = 4027;

extern "C" {
    pub fn opus_encoder_create(fs: i32, channels: c_int, application: c_int, error: *mut c_int) -> *mut OpusEncoder;
    pub fn opus_encode_float(
        st: *mut OpusEncoder,
        pcm: *const f32,
        frame_size: c_int,
        data: *mut u8,
        max_data_bytes: i32,
    ) -> i32;
    /// `request` is followed by one `opus_int32` (a setting) or one
    /// `opus_int32 *` (a reading), as `opus_defines.h` lays out.
    pub fn opus_encoder_ctl(st: *mut OpusEncoder, request: c_int, ...) -> c_int;
    pub fn opus_encoder_destroy(st: *mut OpusEncoder);

    pub fn opus_decoder_create(fs: i32, channels: c_int, error: *mut c_int) -> *mut OpusDecoder;
    pub fn opus_decode_float(
        st: *mut OpusDecoder,
        data: *const u8,
        len: i32,
        pcm: *mut f32,
        frame_size: c_int,
        decode_fec: c_int,
    ) -> c_int;
    pub fn opus_decoder_destroy(st: *mut OpusDecoder);
    /// The samples a packet decodes to at `fs`, or a negative error code.
    pub fn opus_packet_get_nb_samples(packet: *const u8, len: i32, fs: i32) -> c_int;

    pub fn opus_strerror(error: c_int) -> *const c_char;
    pub fn opus_get_version_string() -> *const c_char;
}

/// libopus's own words for an error code.
pub fn error_text(code: c_int) -> String {
    // SAFETY: libopus returns a static NUL-terminated string for any code.
    unsafe { std::ffi::CStr::from_ptr(opus_strerror(code)) }.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A second of a 1 kHz sine survives an encode and decode: the library
    /// links, and its output is the signal, delayed by the lookahead.
    #[test]
    fn round_trip_keeps_a_sine() {
        unsafe {
            let mut err = 0;
            let enc = opus_encoder_create(48_000, 1, OPUS_APPLICATION_AUDIO, &mut err);
            assert_eq!(err, OPUS_OK);
            let dec = opus_decoder_create(48_000, 1, &mut err);
            assert_eq!(err, OPUS_OK);
            let mut lookahead: i32 = 0;
            assert_eq!(opus_encoder_ctl(enc, OPUS_GET_LOOKAHEAD_REQUEST, &mut lookahead as *mut i32), OPUS_OK);
            assert_eq!(opus_encoder_ctl(enc, OPUS_SET_BITRATE_REQUEST, 128_000i32), OPUS_OK);
            let sine: Vec<f32> = (0..48_000 + 960)
                .map(|i| 0.5 * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 48_000.0).sin())
                .collect();
            let mut decoded = Vec::new();
            let mut packet = [0u8; 1500];
            let mut frame = [0f32; 960];
            for chunk in sine.chunks_exact(960) {
                let n = opus_encode_float(enc, chunk.as_ptr(), 960, packet.as_mut_ptr(), packet.len() as i32);
                assert!(n > 0);
                let got = opus_decode_float(dec, packet.as_ptr(), n, frame.as_mut_ptr(), 960, 0);
                assert_eq!(got, 960);
                decoded.extend_from_slice(&frame);
            }
            let skip = lookahead as usize;
            let err: f64 = decoded[skip + 4800..48_000]
                .iter()
                .zip(&sine[4800..48_000 - skip])
                .map(|(a, b)| f64::from(a - b).powi(2))
                .sum::<f64>();
            let power: f64 = sine[4800..48_000 - skip].iter().map(|x| f64::from(*x).powi(2)).sum();
            assert!(10.0 * (power / err).log10() > 20.0, "signal-to-error {:.1} dB", 10.0 * (power / err).log10());
            opus_encoder_destroy(enc);
            opus_decoder_destroy(dec);
        }
    }
}
