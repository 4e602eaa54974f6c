//! FLAC predictors: the fixed polynomial predictors (orders 0–4) and
//! quantised linear prediction (LPC) as the reference encoder's default level
//! does it: a Tukey(0.5) window, autocorrelation, Levinson–Durbin, order chosen
//! from the prediction error, coefficients quantised with error feedback.
//!
//! Written here rather than taken from flacenc: see `rice.rs` for why
//! flacenc 0.5 cannot code 24-bit audio well; its predictor search is also
//! tied to its own frame types. Residuals are computed in i64 (a 24-bit sample
//! times a 14-bit coefficient, summed 8 times, needs 41 bits) and rejected if
//! they do not fit the 32-bit range a decoder is required to handle.

/// Highest LPC order (the reference encoder's `-5`).
pub(super) const MAX_LPC_ORDER: usize = 8;
/// Coefficient precision in bits (sign included).
const PRECISION: u32 = 14;
/// Residuals must stay well inside i32 so that zigzag codes fit in u32.
const RESIDUAL_LIMIT: i64 = 1 << 30;

/// Sum of |residual| of each fixed order 0..=4, in one pass; the cheapest
/// order by this measure is the one worth Rice-coding.
pub(super) fn best_fixed_order(x: &[i32]) -> usize {
    let max_order = 4.min(x.len().saturating_sub(1));
    if max_order < 4 {
        return max_order;
    }
    let mut sums = [0u64; 5];
    let (mut d1p, mut d2p, mut d3p) = (
        i64::from(x[3]) - i64::from(x[2]),
        i64::from(x[3]) - 2 * i64::from(x[2]) + i64::from(x[1]),
        i64::from(x[3]) - 3 * i64::from(x[2]) + 3 * i64::from(x[1]) - i64::from(x[0]),
    );
    let mut prev = i64::from(x[3]);
    for &s in &x[4..] {
        let s = i64::from(s);
        let d1 = s - prev;
        let d2 = d1 - d1p;
        let d3 = d2 - d2p;
        let d4 = d3 - d3p;
        for (sum, d) in sums.iter_mut().zip([s, d1, d2, d3, d4]) {
            *sum += d.unsigned_abs();
        }
        (prev, d1p, d2p, d3p) = (s, d1, d2, d3);
    }
    (0..5).min_by_key(|&o| sums[o]).unwrap_or(0)
}

/// Residual of the fixed predictor of `order` (≤ 4) into `out`.
pub(super) fn fixed_residual(x: &[i32], order: usize, out: &mut Vec<i32>) {
    out.clear();
    let t = |i: usize| i64::from(x[i]);
    let res = |i: usize| match order {
        0 => t(i),
        1 => t(i) - t(i - 1),
        2 => t(i) - 2 * t(i - 1) + t(i - 2),
        3 => t(i) - 3 * t(i - 1) + 3 * t(i - 2) - t(i - 3),
        _ => t(i) - 4 * t(i - 1) + 6 * t(i - 2) - 4 * t(i - 3) + t(i - 4),
    };
    // ≤ 25-bit input (side channel) times 16 stays far below 2^31.
    out.extend((order..x.len()).map(|i| res(i) as i32));
}

/// A quantised predictor: `x[i] ≈ Σ coefs[j] · x[i−1−j] >> shift`.
#[derive(Debug, Clone, Default)]
pub(super) struct Lpc {
    pub(super) coefs: Vec<i32>,
    pub(super) shift: u32,
    pub(super) precision: u32,
}

/// Scratch reused between blocks: the window and the windowed signal.
#[derive(Default)]
pub(super) struct LpcScratch {
    window: Vec<f64>,
    windowed: Vec<f64>,
}

/// Tukey window with half its length tapered, the reference default.
fn tukey(n: usize, out: &mut Vec<f64>) {
    out.clear();
    let taper = (n / 4).max(1);
    out.extend((0..n).map(|i| {
        let edge = i.min(n - 1 - i);
        if edge >= taper {
            1.0
        } else {
            0.5 - 0.5 * (std::f64::consts::PI * edge as f64 / taper as f64).cos()
        }
    }));
}

/// Autocorrelation of the windowed block at lags 0..=MAX_LPC_ORDER.
fn autocorrelation(x: &[i32], s: &mut LpcScratch) -> [f64; MAX_LPC_ORDER + 1] {
    if s.window.len() != x.len() {
        tukey(x.len(), &mut s.window);
    }
    s.windowed.clear();
    s.windowed.extend(x.iter().zip(&s.window).map(|(&v, &w)| f64::from(v) * w));
    let y = &s.windowed;
    // Blocks shorter than the highest lag (a file's last few samples) have
    // no products there: those lags are zero.
    std::array::from_fn(|lag| dot(&y[lag.min(y.len())..], y))
}

/// Dot product with eight independent partial sums: a single running f64 sum
/// is one long dependency chain the compiler may not reorder, and made the
/// autocorrelation the encoder's slowest step.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0f64; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail = n - n % 8;
    acc.iter().sum::<f64>() + a[tail..].iter().zip(&b[tail..]).map(|(x, y)| x * y).sum::<f64>()
}

/// Levinson–Durbin: the predictor of every order up to `max` and its error.
fn levinson(r: &[f64; MAX_LPC_ORDER + 1], max: usize) -> Vec<(Vec<f64>, f64)> {
    let mut out = Vec::with_capacity(max);
    let mut a: Vec<f64> = Vec::with_capacity(max);
    let mut err = r[0];
    for m in 0..max {
        let acc = r[m + 1] - a.iter().enumerate().map(|(j, c)| c * r[m - j]).sum::<f64>();
        let k = acc / err;
        let prev = a.clone();
        a.push(k);
        for j in 0..m {
            a[j] = prev[j] - k * prev[m - 1 - j];
        }
        err *= 1.0 - k * k;
        out.push((a.clone(), err));
        if err <= 0.0 {
            break;
        }
    }
    out
}

/// The order whose estimated size (residual bits from the prediction error,
/// plus warm-up and coefficients) is smallest, as the reference encoder does.
fn pick_order(orders: &[(Vec<f64>, f64)], n: usize, bps: u32) -> usize {
    let bits = |o: usize, err: f64| {
        let per_sample = if err > 0.0 { (0.5 * (err * 0.5 / n as f64).log2()).max(0.0) } else { 0.0 };
        per_sample * (n - o) as f64 + (o as u32 * (bps + PRECISION)) as f64
    };
    (0..orders.len())
        .min_by(|&a, &b| bits(a + 1, orders[a].1).total_cmp(&bits(b + 1, orders[b].1)))
        .map_or(0, |i| i + 1)
}

/// Quantises with error feedback so rounding errors do not accumulate.
fn quantise(a: &[f64]) -> Option<Lpc> {
    let cmax = a.iter().fold(0f64, |m, c| m.max(c.abs()));
    if !(cmax > 0.0 && cmax.is_finite()) {
        return None;
    }
    let qmax = f64::from((1 << (PRECISION - 1)) - 1);
    // Largest shift (≤ 15, the 5-bit field's positive range) keeping |q| ≤ qmax.
    let shift = (qmax / cmax).log2().floor().min(15.0);
    if shift < 0.0 {
        return None;
    }
    let scale = 2f64.powi(shift as i32);
    let mut carry = 0.0;
    let coefs = a
        .iter()
        .map(|&c| {
            carry += c * scale;
            let q = carry.round().clamp(-qmax - 1.0, qmax);
            carry -= q;
            q as i32
        })
        .collect();
    Some(Lpc { coefs, shift: shift as u32, precision: PRECISION })
}

/// The LPC of the block, if one can be computed.
pub(super) fn analyse(x: &[i32], bps: u32, s: &mut LpcScratch) -> Option<Lpc> {
    let max = MAX_LPC_ORDER.min(x.len().saturating_sub(1) / 2);
    if max == 0 {
        return None;
    }
    let r = autocorrelation(x, s);
    if r[0] <= 0.0 {
        return None;
    }
    let orders = levinson(&r, max);
    let order = pick_order(&orders, x.len(), bps);
    quantise(&orders.get(order.checked_sub(1)?)?.0)
}

/// Residual of `lpc` into `out`; `false` if a value leaves the safe range.
pub(super) fn lpc_residual(x: &[i32], lpc: &Lpc, out: &mut Vec<i32>) -> bool {
    out.clear();
    match lpc.coefs.len() {
        1 => residual_n::<1>(x, lpc, out),
        2 => residual_n::<2>(x, lpc, out),
        3 => residual_n::<3>(x, lpc, out),
        4 => residual_n::<4>(x, lpc, out),
        5 => residual_n::<5>(x, lpc, out),
        6 => residual_n::<6>(x, lpc, out),
        7 => residual_n::<7>(x, lpc, out),
        _ => residual_n::<8>(x, lpc, out),
    }
}

/// One loop per order so the inner sum unrolls completely.
fn residual_n<const N: usize>(x: &[i32], lpc: &Lpc, out: &mut Vec<i32>) -> bool {
    let c: [i64; N] = std::array::from_fn(|j| i64::from(lpc.coefs[j]));
    let mut ok = true;
    out.extend(x.windows(N + 1).map(|w| {
        // w[N] is the sample, w[N−1−j] the one j + 1 before it.
        let pred: i64 = (0..N).map(|j| c[j] * i64::from(w[N - 1 - j])).sum();
        let r = i64::from(w[N]) - (pred >> lpc.shift);
        ok &= r.abs() < RESIDUAL_LIMIT;
        r as i32
    }));
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_order_follows_smoothness() {
        let ramp: Vec<i32> = (0..100).map(|i| i * 3).collect();
        assert_eq!(best_fixed_order(&ramp), 2);
        let noise: Vec<i32> = (0..100).map(|i| (i * 7919 % 101) - 50).collect();
        assert_eq!(best_fixed_order(&noise), 0);
    }

    #[test]
    fn lpc_predicts_a_sine_closely() {
        let x: Vec<i32> = (0..4096).map(|i| ((i as f64 * 0.05).sin() * 4e6) as i32).collect();
        let lpc = analyse(&x, 24, &mut LpcScratch::default()).unwrap();
        let mut res = Vec::new();
        assert!(lpc_residual(&x, &lpc, &mut res));
        let peak = res.iter().map(|r| r.unsigned_abs()).max().unwrap();
        // 14-bit coefficients limit the prediction gain to about 70 dB.
        assert!(peak < 2000, "residual peak {peak}");
    }
}
