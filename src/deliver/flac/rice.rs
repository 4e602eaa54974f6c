//! Partitioned Rice coding of FLAC residuals, with 5-bit parameters
//! (`RICE2`) when a partition needs a parameter above 14.
//!
//! Why this exists: flacenc 0.5 only writes 4-bit parameters (≤ 14). A loud
//! 24-bit signal has residuals around 2^20, so every sample then costs tens of
//! unary bits, and its parameter search can wrap around and pick 0 for such a
//! partition (a single 4096-sample frame grew to 33 MB). Parameters up to 30
//! cover any residual of a ≤ 24-bit stream (side channel included).

use super::bits::BitWriter;

/// Finest partition order tried: partitions of 4096 >> 6 = 64 samples.
/// The reference encoder stops at 5 for its default level; one more order
/// costs a few sums and wins a little on transients.
const MAX_PARTITION_ORDER: u32 = 6;
/// Largest parameter `RICE2` can signal (31 is the escape code).
const MAX_PARAM: u32 = 30;
/// Largest parameter the 4-bit `RICE` method can signal (15 is the escape).
const MAX_PARAM_RICE1: u32 = 14;

/// FLAC's folding of a signed residual into an unsigned code number.
#[inline(always)]
pub(super) fn zigzag(r: i32) -> u32 {
    ((r << 1) ^ (r >> 31)) as u32
}

/// The chosen partitioning of one subframe's residual.
#[derive(Debug, Clone, Default)]
pub(super) struct RicePlan {
    order: u32,
    params: Vec<u32>,
    /// Exact size of the residual section in bits, headers included.
    pub(super) bits: u64,
}

/// Scratch reused between subframes, so encoding does not allocate.
#[derive(Default)]
pub(super) struct RiceScratch {
    codes: Vec<u32>,
    sums: Vec<u64>,
}

/// Cheapest parameter for a partition of `count` codes summing to `sum`, and
/// its estimated size: `count · (k + 1) + sum >> k` (each code costs its
/// k low bits, a stop bit, and `code >> k` unary zeros).
fn best_param(sum: u64, count: u64) -> (u32, u64) {
    let cost = |k: u32| count * u64::from(k + 1) + (sum >> k);
    if count == 0 {
        return (0, 0);
    }
    let mean = sum / count;
    let k0 = if mean == 0 { 0 } else { (63 - mean.leading_zeros()).min(MAX_PARAM) };
    // The log₂ of the mean is within one of the optimum.
    let mut best = (k0, cost(k0));
    for k in [k0.saturating_sub(1), (k0 + 1).min(MAX_PARAM)] {
        let c = cost(k);
        if c < best.1 {
            best = (k, c);
        }
    }
    best
}

/// Partition orders a block of `n` samples allows with `order` warm-up samples:
/// equal partitions, the first of which must hold more than the warm-up.
fn max_order_for(n: usize, order: usize) -> u32 {
    let mut p = 0;
    while p < MAX_PARTITION_ORDER && n % (1 << (p + 1)) == 0 && (n >> (p + 1)) > order {
        p += 1;
    }
    p
}

/// Chooses partition order and parameters for `residual` (the samples after
/// the `order` warm-up samples of an `n`-sample block).
pub(super) fn plan(residual: &[i32], n: usize, order: usize, s: &mut RiceScratch, out: &mut RicePlan) {
    s.codes.clear();
    s.codes.extend(residual.iter().map(|&r| zigzag(r)));
    let top = max_order_for(n, order);
    let parts = 1usize << top;
    let size = n >> top;
    s.sums.clear();
    s.sums.resize(parts, 0);
    for (i, sum) in s.sums.iter_mut().enumerate() {
        let start = (i * size).saturating_sub(order);
        let end = (i + 1) * size - order;
        *sum = s.codes[start..end].iter().map(|&c| u64::from(c)).sum();
    }
    let mut best: Option<(u64, u32)> = None;
    for p in (0..=top).rev() {
        let est = estimate(&s.sums, n >> p, order);
        if best.is_none_or(|(b, _)| est < b) {
            best = Some((est, p));
        }
        if p > 0 {
            // Merge neighbours: the sums of order p − 1.
            let half = s.sums.len() / 2;
            for i in 0..half {
                s.sums[i] = s.sums[2 * i] + s.sums[2 * i + 1];
            }
            s.sums.truncate(half);
        }
    }
    let p = best.map_or(0, |b| b.1);
    finish_plan(&s.codes, n, order, p, out);
}

/// Estimated bits of one partition order (sums already merged to it).
fn estimate(sums: &[u64], size: usize, order: usize) -> u64 {
    let mut total = 0;
    let mut wide = false;
    for (i, &sum) in sums.iter().enumerate() {
        let count = if i == 0 { size - order } else { size } as u64;
        let (k, bits) = best_param(sum, count);
        wide |= k > MAX_PARAM_RICE1;
        total += bits;
    }
    total + sums.len() as u64 * if wide { 5 } else { 4 }
}

/// Fixes the parameters of partition order `p` and counts the exact bits.
fn finish_plan(codes: &[u32], n: usize, order: usize, p: u32, out: &mut RicePlan) {
    let size = n >> p;
    out.order = p;
    out.params.clear();
    let mut bits = 2 + 4; // method + partition order
    for i in 0..1usize << p {
        let start = (i * size).saturating_sub(order);
        let part = &codes[start..(i + 1) * size - order];
        let sum: u64 = part.iter().map(|&c| u64::from(c)).sum();
        let (k, _) = best_param(sum, part.len() as u64);
        bits += part.len() as u64 * u64::from(k + 1) + part.iter().map(|&c| u64::from(c >> k)).sum::<u64>();
        out.params.push(k);
    }
    let wide = out.params.iter().any(|&k| k > MAX_PARAM_RICE1);
    out.bits = bits + out.params.len() as u64 * if wide { 5 } else { 4 };
}

/// Writes the residual section: method, partition order, then per partition
/// its parameter and the codes (unary quotient, stop bit, k low bits).
pub(super) fn write(residual: &[i32], n: usize, order: usize, plan: &RicePlan, w: &mut BitWriter) {
    let wide = plan.params.iter().any(|&k| k > MAX_PARAM_RICE1);
    w.put(2, u32::from(wide));
    w.put(4, plan.order);
    let size = n >> plan.order;
    for (i, &k) in plan.params.iter().enumerate() {
        w.put(if wide { 5 } else { 4 }, k);
        let start = (i * size).saturating_sub(order);
        for &r in &residual[start..(i + 1) * size - order] {
            let c = zigzag(r);
            let q = c >> k;
            if q + 1 + k <= 32 {
                // Quotient zeros, stop bit and remainder in one call.
                w.put(q + 1 + k, (1 << k) | (c & ((1u32 << k) - 1)));
            } else {
                w.put_unary(q);
                w.put(k, c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_folds_signs() {
        assert_eq!([0, -1, 1, -2, 2].map(zigzag), [0, 1, 2, 3, 4]);
        assert_eq!(zigzag(i32::MIN + 1), u32::MAX - 2);
    }

    #[test]
    fn loud_residuals_get_wide_parameters_and_exact_sizes() {
        let res: Vec<i32> = (0..4092).map(|i| ((i * 7919 % 4001) - 2000) * 1000).collect();
        let (mut s, mut p) = (RiceScratch::default(), RicePlan::default());
        plan(&res, 4096, 4, &mut s, &mut p);
        assert!(p.params.iter().all(|&k| k > 14 && k <= 22), "{:?}", p.params);
        let mut w = BitWriter::default();
        write(&res, 4096, 4, &p, &mut w);
        w.align();
        assert_eq!(w.bytes().len() as u64, p.bits.div_ceil(8));
        // About 21–22 bits per sample, where 4-bit parameters would need > 60.
        assert!(p.bits < 4092 * 23, "{} bits", p.bits);
    }

    #[test]
    fn partition_orders_respect_the_warm_up() {
        assert_eq!(max_order_for(4096, 8), 6);
        assert_eq!(max_order_for(12, 4), 1);
        assert_eq!(max_order_for(13, 0), 0);
        assert_eq!(max_order_for(64, 32), 0);
    }
}
