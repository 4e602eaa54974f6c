//! Interleaved stereo 24-bit PCM to planar f32: the format of most stems,
//! and of every benchmark source.
//!
//! The plain loop handles a 3-byte sample at a time (1.5 cycles a sample,
//! 6 % of the benchmark render). Where the CPU has SSSE3 this one handles
//! four frames at a time: `pshufb` lifts each sample into the top three
//! bytes of a 32-bit lane, an arithmetic shift sign-extends it, and a
//! shuffle splits left from right. Integer to f32 is exact for 24 bits and
//! the scale is a power of two, so both paths give the same bits.

/// 2^-23: full scale of 24-bit PCM.
const SCALE: f32 = 1.0 / 8_388_608.0;

/// One 24-bit little-endian sample as f32 in [−1, 1).
#[inline(always)]
pub(super) fn sample(b: [u8; 3]) -> f32 {
    (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 * SCALE
}

/// Converts `n` frames of interleaved stereo 24-bit PCM (`bytes`, at least
/// 6·n long) into `left[..n]` and `right[..n]`.
pub(super) fn stereo(bytes: &[u8], left: &mut [f32], right: &mut [f32], n: usize) {
    let (bytes, left, right) = (&bytes[..6 * n], &mut left[..n], &mut right[..n]);
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("ssse3") {
        // SAFETY: the CPU has SSSE3.
        done = unsafe { stereo_ssse3(bytes, left, right) };
    }
    for ((l, r), b) in left[done..].iter_mut().zip(&mut right[done..]).zip(bytes[6 * done..].chunks_exact(6)) {
        *l = sample([b[0], b[1], b[2]]);
        *r = sample([b[3], b[4], b[5]]);
    }
}

/// Converts four frames at a time while 28 bytes can be read (each step
/// loads 16 bytes at 0 and at 12), and returns how many frames it did.
///
/// # Safety
/// The CPU must have SSSE3.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
unsafe fn stereo_ssse3(bytes: &[u8], left: &mut [f32], right: &mut [f32]) -> usize {
    use std::arch::x86_64::*;
    // Sample k's three bytes into bytes 1..4 of lane k; byte 0 zero (-1 = 0x80).
    let lift = _mm_setr_epi8(-1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11);
    let scale = _mm_set1_ps(SCALE);
    let frames = left.len().min(right.len()).min(bytes.len() / 6);
    let mut i = 0;
    while i + 4 <= frames && 6 * i + 28 <= bytes.len() {
        let p = bytes.as_ptr().add(6 * i);
        // Frames i, i+1 and frames i+2, i+3: [L, R, L, R] each.
        let a = _mm_loadu_si128(p as *const __m128i);
        let b = _mm_loadu_si128(p.add(12) as *const __m128i);
        let a = _mm_mul_ps(_mm_cvtepi32_ps(_mm_srai_epi32(_mm_shuffle_epi8(a, lift), 8)), scale);
        let b = _mm_mul_ps(_mm_cvtepi32_ps(_mm_srai_epi32(_mm_shuffle_epi8(b, lift), 8)), scale);
        // Lanes 0 and 2 of each are left, 1 and 3 right.
        let l = _mm_shuffle_ps(a, b, 0b10_00_10_00);
        let r = _mm_shuffle_ps(a, b, 0b11_01_11_01);
        _mm_storeu_ps(left.as_mut_ptr().add(i), l);
        _mm_storeu_ps(right.as_mut_ptr().add(i), r);
        i += 4;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length from 0 to 40 frames, random bytes and the extremes:
    /// the same bits as the sample-at-a-time rule.
    #[test]
    fn matches_the_plain_rule_bit_for_bit() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut bytes: Vec<u8> = (0..6 * 40)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        // Full-scale negative, positive, −1 LSB and zero.
        bytes[..12].copy_from_slice(&[0, 0, 0x80, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0]);
        for n in 0..=40 {
            let (mut l, mut r) = (vec![9.0f32; n], vec![9.0f32; n]);
            stereo(&bytes[..6 * n], &mut l, &mut r, n);
            for i in 0..n {
                let b = &bytes[6 * i..];
                assert_eq!(l[i].to_bits(), sample([b[0], b[1], b[2]]).to_bits(), "n {n} frame {i} left");
                assert_eq!(r[i].to_bits(), sample([b[3], b[4], b[5]]).to_bits(), "n {n} frame {i} right");
            }
        }
        let (mut l, mut r) = ([0.0f32; 2], [0.0f32; 2]);
        stereo(&bytes[..12], &mut l, &mut r, 2);
        assert_eq!((l[0], r[0], l[1], r[1]), (-1.0, 8_388_607.0 * SCALE, -SCALE, 0.0));
    }
}
