//! One FLAC frame from planar integer samples: stereo decorrelation, the
//! cheapest subframe per channel (constant, fixed, LPC or verbatim, with
//! wasted-bit removal), the header and both CRCs.
//!
//! Stereo mode is chosen the way ffmpeg's encoder does by default: from the
//! sum of order-2 fixed residuals of left, right, mid and side, so only two
//! channels are fully encoded (the reference's exhaustive mode encodes four
//! for a gain well under 1 %).

use super::bits::{crc16, crc8, BitWriter};
use super::lpc::{analyse, best_fixed_order, fixed_residual, lpc_residual, LpcScratch};
use super::rice::{plan, write as write_rice, RicePlan, RiceScratch};

/// Channel assignments: independent, left/side, side/right, mid/side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stereo {
    Independent,
    LeftSide,
    SideRight,
    MidSide,
}

/// What a subframe will be written as.
enum Choice {
    Verbatim,
    Fixed(usize),
    Lpc(super::lpc::Lpc),
}

/// Sum of |order-2 fixed residual|: a cheap proxy for a channel's coded size.
fn cost2(x: &[i32]) -> u64 {
    x.windows(3).map(|w| (i64::from(w[2]) - 2 * i64::from(w[1]) + i64::from(w[0])).unsigned_abs()).sum()
}

fn choose_stereo(l: &[i32], r: &[i32], m: &[i32], s: &[i32]) -> Stereo {
    let (cl, cr, cm, cs) = (cost2(l), cost2(r), cost2(m), cost2(s));
    let options = [
        (cl + cr, Stereo::Independent),
        (cl + cs, Stereo::LeftSide),
        (cs + cr, Stereo::SideRight),
        (cm + cs, Stereo::MidSide),
    ];
    options.iter().min_by_key(|o| o.0).map_or(Stereo::Independent, |o| o.1)
}

/// FLAC's UTF-8-like coding of the frame number (up to 31 bits).
fn put_coded_number(w: &mut BitWriter, v: u32) {
    if v < 0x80 {
        return w.put(8, v);
    }
    let extra = match v {
        0..0x800 => 1,
        0x800..0x1_0000 => 2,
        0x1_0000..0x20_0000 => 3,
        0x20_0000..0x400_0000 => 4,
        _ => 5,
    };
    let lead = (0xFF00u32 >> (extra + 1)) & 0xFF;
    w.put(8, lead | (v >> (6 * extra)));
    for i in (0..extra).rev() {
        w.put(8, 0x80 | ((v >> (6 * i)) & 0x3F));
    }
}

fn rate_code(rate: u32) -> u32 {
    match rate {
        88_200 => 1,
        176_400 => 2,
        192_000 => 3,
        8_000 => 4,
        16_000 => 5,
        22_050 => 6,
        24_000 => 7,
        32_000 => 8,
        44_100 => 9,
        48_000 => 10,
        96_000 => 11,
        _ => 0, // "see STREAMINFO"
    }
}

fn depth_code(bps: u32) -> u32 {
    match bps {
        8 => 1,
        12 => 2,
        16 => 4,
        20 => 5,
        24 => 6,
        _ => 0,
    }
}

/// Block-size code: the standard sizes have their own, others follow the
/// header in 8 (code 6) or 16 bits (code 7) as size − 1.
fn size_code(n: usize) -> u32 {
    match n {
        192 => 1,
        576 | 1152 | 2304 | 4608 => 2 + (n / 576).trailing_zeros(),
        256 | 512 | 1024 | 2048 | 4096 | 8192 | 16_384 | 32_768 => 8 + (n / 256).trailing_zeros(),
        1..=256 => 6,
        _ => 7,
    }
}

/// What every frame of the stream shares.
pub(super) struct StreamParams {
    pub(super) rate: u32,
    pub(super) bps: u32,
}

/// Per-subframe scratch, split from the frame's buffers so both can be
/// borrowed at once.
#[derive(Default)]
struct Work {
    shifted: Vec<i32>,
    res_fixed: Vec<i32>,
    res_lpc: Vec<i32>,
    plan_fixed: RicePlan,
    plan_lpc: RicePlan,
    rice: RiceScratch,
    lpc: LpcScratch,
}

/// Everything reused between frames, so encoding allocates almost nothing.
#[derive(Default)]
pub(super) struct FrameEncoder {
    bits: BitWriter,
    mid: Vec<i32>,
    side: Vec<i32>,
    work: Work,
}

impl FrameEncoder {
    /// Encodes one frame of `channels` (planar, equal lengths ≤ 65 536);
    /// returns the frame's bytes, valid until the next call.
    pub(super) fn encode(&mut self, channels: &[&[i32]], number: u32, p: &StreamParams) -> &[u8] {
        let n = channels[0].len();
        let stereo = if channels.len() == 2 { self.decorrelate(channels[0], channels[1]) } else { Stereo::Independent };
        self.bits.clear();
        self.header(n, channels.len(), stereo, number, p);
        let (bps, side_bps) = (p.bps, p.bps + 1);
        let (mid, side) = (&self.mid[..], &self.side[..]);
        let pairs: [(&[i32], u32); 2] = match stereo {
            Stereo::Independent => [(channels[0], bps), (channels.get(1).copied().unwrap_or(&[]), bps)],
            Stereo::LeftSide => [(channels[0], bps), (side, side_bps)],
            Stereo::SideRight => [(side, side_bps), (channels[1], bps)],
            Stereo::MidSide => [(mid, bps), (side, side_bps)],
        };
        for (x, b) in pairs.into_iter().take(channels.len()) {
            subframe(x, b, &mut self.work, &mut self.bits);
        }
        self.bits.align();
        let crc = crc16(self.bits.bytes());
        self.bits.put(16, u32::from(crc));
        self.bits.align();
        self.bits.bytes()
    }

    fn decorrelate(&mut self, l: &[i32], r: &[i32]) -> Stereo {
        self.mid.clear();
        self.side.clear();
        // Mid drops the low bit; side keeps it, which is how it is recovered.
        self.mid.extend(l.iter().zip(r).map(|(&a, &b)| (a + b) >> 1));
        self.side.extend(l.iter().zip(r).map(|(&a, &b)| a - b));
        choose_stereo(l, r, &self.mid, &self.side)
    }

    fn header(&mut self, n: usize, channels: usize, stereo: Stereo, number: u32, p: &StreamParams) {
        let w = &mut self.bits;
        w.put(15, 0x7FFC); // sync code and a reserved zero
        w.put(1, 0); // fixed block size: the number counts frames
        let code = size_code(n);
        w.put(4, code);
        w.put(4, rate_code(p.rate));
        let assignment = match stereo {
            Stereo::Independent => channels as u32 - 1,
            Stereo::LeftSide => 8,
            Stereo::SideRight => 9,
            Stereo::MidSide => 10,
        };
        w.put(4, assignment);
        w.put(3, depth_code(p.bps));
        w.put(1, 0);
        put_coded_number(w, number);
        match code {
            6 => w.put(8, n as u32 - 1),
            7 => w.put(16, n as u32 - 1),
            _ => {}
        }
        w.align();
        let crc = crc8(w.bytes());
        w.put(8, u32::from(crc));
    }
}

/// Picks and writes the cheapest subframe for one channel of `bps` bits.
fn subframe(x: &[i32], bps: u32, work: &mut Work, w: &mut BitWriter) {
    if x.iter().all(|&v| v == x[0]) {
        w.put(8, 0); // padding bit, type CONSTANT, no wasted bits
        return w.put_signed(bps, x[0]);
    }
    // Low bits that are zero in every sample (e.g. 16-bit audio in a 24-bit
    // file) are signalled once instead of coded per sample.
    let wasted = x.iter().fold(0, |a, &v| a | v).trailing_zeros();
    let mut shifted = std::mem::take(&mut work.shifted);
    let x = if wasted > 0 {
        shifted.clear();
        shifted.extend(x.iter().map(|&v| v >> wasted));
        &shifted[..]
    } else {
        x
    };
    let bps = bps - wasted;
    let choice = choose(x, bps, work);
    w.put(1, 0);
    w.put(
        6,
        match &choice {
            Choice::Verbatim => 1,
            Choice::Fixed(order) => 8 | *order as u32,
            Choice::Lpc(lpc) => 32 | (lpc.coefs.len() as u32 - 1),
        },
    );
    if wasted > 0 {
        w.put(1, 1);
        w.put_unary(wasted - 1);
    } else {
        w.put(1, 0);
    }
    write_body(x, bps, &choice, work, w);
    work.shifted = shifted;
}

/// The smallest of verbatim, the best fixed predictor and LPC, by exact size.
fn choose(x: &[i32], bps: u32, work: &mut Work) -> Choice {
    let n = x.len();
    let warm = |order: usize| order as u64 * u64::from(bps);
    let mut best = (n as u64 * u64::from(bps), Choice::Verbatim);
    let order = best_fixed_order(x);
    fixed_residual(x, order, &mut work.res_fixed);
    plan(&work.res_fixed, n, order, &mut work.rice, &mut work.plan_fixed);
    let fixed_bits = warm(order) + work.plan_fixed.bits;
    if fixed_bits < best.0 {
        best = (fixed_bits, Choice::Fixed(order));
    }
    if let Some(lpc) = analyse(x, bps, &mut work.lpc) {
        if lpc_residual(x, &lpc, &mut work.res_lpc) {
            let order = lpc.coefs.len();
            plan(&work.res_lpc, n, order, &mut work.rice, &mut work.plan_lpc);
            let bits = warm(order) + 4 + 5 + order as u64 * u64::from(lpc.precision) + work.plan_lpc.bits;
            if bits < best.0 {
                best = (bits, Choice::Lpc(lpc));
            }
        }
    }
    best.1
}

fn write_body(x: &[i32], bps: u32, choice: &Choice, work: &Work, w: &mut BitWriter) {
    let warm_up = |order: usize, w: &mut BitWriter| x[..order].iter().for_each(|&v| w.put_signed(bps, v));
    match choice {
        Choice::Verbatim => warm_up(x.len(), w),
        Choice::Fixed(order) => {
            warm_up(*order, w);
            write_rice(&work.res_fixed, x.len(), *order, &work.plan_fixed, w);
        }
        Choice::Lpc(lpc) => {
            let order = lpc.coefs.len();
            warm_up(order, w);
            w.put(4, lpc.precision - 1);
            w.put_signed(5, lpc.shift as i32);
            lpc.coefs.iter().for_each(|&c| w.put_signed(lpc.precision, c));
            write_rice(&work.res_lpc, x.len(), order, &work.plan_lpc, w);
        }
    }
}
