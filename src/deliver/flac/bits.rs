//! The bit-level plumbing of the FLAC writer: an MSB-first bit writer and the
//! frame CRCs (CRC-8 poly 0x07 over the header, CRC-16 poly 0x8005 over the
//! whole frame), as the FLAC format specification defines them.

/// MSB-first bit writer into a byte vector.
///
/// Bits collect in a 64-bit accumulator and leave it 32 at a time, so the
/// per-call cost is a shift, an or and a rarely taken branch: Rice coding
/// calls it once per residual sample.
#[derive(Default)]
pub(super) struct BitWriter {
    bytes: Vec<u8>,
    acc: u64,
    /// Bits in `acc` not yet moved to `bytes` (always < 32 between calls).
    pending: u32,
}

impl BitWriter {
    pub(super) fn clear(&mut self) {
        self.bytes.clear();
        self.acc = 0;
        self.pending = 0;
    }

    /// Appends the low `bits` bits of `value` (`bits` ≤ 32).
    #[inline(always)]
    pub(super) fn put(&mut self, bits: u32, value: u32) {
        debug_assert!(bits <= 32);
        if bits == 0 {
            return;
        }
        let v = u64::from(value) & ((1u64 << bits) - 1);
        self.acc = (self.acc << bits) | v;
        self.pending += bits;
        if self.pending >= 32 {
            self.pending -= 32;
            // Bits above these 32 were flushed earlier; `as u32` drops them.
            self.bytes.extend_from_slice(&((self.acc >> self.pending) as u32).to_be_bytes());
        }
    }

    /// A signed value in `bits` two's-complement bits.
    #[inline(always)]
    pub(super) fn put_signed(&mut self, bits: u32, value: i32) {
        self.put(bits, value as u32);
    }

    /// `zeros` zero bits, then a one: Rice's unary quotient.
    #[inline(always)]
    pub(super) fn put_unary(&mut self, mut zeros: u32) {
        while zeros >= 32 {
            self.put(32, 0);
            zeros -= 32;
        }
        self.put(zeros + 1, 1);
    }

    /// Pads with zero bits to a byte boundary and moves everything to `bytes`.
    pub(super) fn align(&mut self) {
        let pad = (8 - self.pending % 8) % 8;
        self.put(pad, 0);
        while self.pending > 0 {
            self.pending -= 8;
            self.bytes.push((self.acc >> self.pending) as u8);
        }
    }

    /// The bytes written so far; call [`BitWriter::align`] first.
    pub(super) fn bytes(&self) -> &[u8] {
        debug_assert_eq!(self.pending, 0);
        &self.bytes
    }
}

const fn crc8_table() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u8;
        let mut k = 0;
        while k < 8 {
            c = if c & 0x80 != 0 { (c << 1) ^ 0x07 } else { c << 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

/// Slicing-by-8 tables: `t[k][b]` is the CRC contribution of byte `b`
/// followed by `k` zero bytes. The byte-at-a-time loop is one long dependency
/// chain and was over half of the frame encoder's own time; eight lookups
/// that do not depend on each other run in parallel.
const fn crc16_tables() -> [[u16; 256]; 8] {
    let mut t = [[0u16; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = (i as u16) << 8;
        let mut k = 0;
        while k < 8 {
            c = if c & 0x8000 != 0 { (c << 1) ^ 0x8005 } else { c << 1 };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev << 8) ^ t[0][(prev >> 8) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

static CRC8: [u8; 256] = crc8_table();
static CRC16: [[u16; 256]; 8] = crc16_tables();

pub(super) fn crc8(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |c, &b| CRC8[usize::from(c ^ b)])
}

pub(super) fn crc16(bytes: &[u8]) -> u16 {
    let t = &CRC16;
    let mut chunks = bytes.chunks_exact(8);
    let mut c = 0u16;
    for b in &mut chunks {
        let [hi, lo] = c.to_be_bytes();
        c = t[7][usize::from(b[0] ^ hi)]
            ^ t[6][usize::from(b[1] ^ lo)]
            ^ t[5][usize::from(b[2])]
            ^ t[4][usize::from(b[3])]
            ^ t[3][usize::from(b[4])]
            ^ t[2][usize::from(b[5])]
            ^ t[1][usize::from(b[6])]
            ^ t[0][usize::from(b[7])];
    }
    chunks.remainder().iter().fold(c, |c, &b| (c << 8) ^ t[0][usize::from((c >> 8) as u8 ^ b)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_packed_msb_first() {
        let mut w = BitWriter::default();
        w.put(3, 0b101);
        w.put(32, 0xDEAD_BEEF);
        w.put_unary(40);
        w.put_signed(5, -3);
        w.align();
        // 101 + DEADBEEF + 40 zeros + 1 + 11101, padded.
        let mut want = BitWriter::default();
        for (n, v) in [(3, 0b101), (16, 0xDEAD), (16, 0xBEEF), (20, 0), (20, 0), (1, 1), (5, 0b11101)] {
            want.put(n, v);
        }
        want.align();
        assert_eq!(w.bytes(), want.bytes());
        assert_eq!(&w.bytes()[..5], &[0xBB, 0xD5, 0xB7, 0xDD, 0xE0]);
    }

    #[test]
    fn crcs_match_the_check_values() {
        // CRC-8/SMBUS and CRC-16/UMTS (the FLAC polynomials, no reflection).
        assert_eq!(crc8(b"123456789"), 0xF4);
        assert_eq!(crc16(b"123456789"), 0xFEE8);
        // Slicing-by-8 agrees with the bit-serial definition at every length.
        let data: Vec<u8> = (0..100u32).map(|i| ((i * 7919) >> 3) as u8).collect();
        for n in 0..data.len() {
            let slow = data[..n].iter().fold(0u16, |mut c, &b| {
                c ^= u16::from(b) << 8;
                for _ in 0..8 {
                    c = if c & 0x8000 != 0 { (c << 1) ^ 0x8005 } else { c << 1 };
                }
                c
            });
            assert_eq!(crc16(&data[..n]), slow, "{n} bytes");
        }
    }
}
