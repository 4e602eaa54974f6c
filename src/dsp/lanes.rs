//! Two f64 lanes in one SIMD register: the channels of a stereo pair, processed in step.
//!
//! On x86-64 this is an SSE2 `__m128d` (SSE2 is part of the x86-64 baseline,
//! so no runtime detection is needed). Elsewhere it is a plain `[f64; 2]`.
//! The compiler does not vectorise the biquad recursion over a `[f64; 2]` on
//! its own (measured: scalar `mulsd` code, 2× slower), hence the intrinsics.
//! Both versions perform the same IEEE operations in the same order, so the
//! results are bit-identical on every target: no FMA is used, on purpose.

use std::fmt;
use std::ops::{Add, Mul, Sub};

#[cfg(target_arch = "x86_64")]
mod imp {
    // The intrinsics used here became safe to call in Rust 1.87; the crate's
    // MSRV is 1.85, where they still need `unsafe`. Newer compilers then call
    // those blocks unused, which is harmless.
    #![allow(unused_unsafe)]
    use std::arch::x86_64::*;

    pub type Raw = __m128d;

    #[inline(always)]
    pub fn new(a: f64, b: f64) -> Raw {
        // _mm_set_pd takes the high lane first.
        unsafe { _mm_set_pd(b, a) }
    }
    #[inline(always)]
    pub fn splat(v: f64) -> Raw {
        unsafe { _mm_set1_pd(v) }
    }
    #[inline(always)]
    pub fn to_array(v: Raw) -> [f64; 2] {
        unsafe { [_mm_cvtsd_f64(v), _mm_cvtsd_f64(_mm_unpackhi_pd(v, v))] }
    }
    #[inline(always)]
    pub fn add(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_add_pd(a, b) }
    }
    #[inline(always)]
    pub fn sub(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_sub_pd(a, b) }
    }
    #[inline(always)]
    pub fn mul(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_mul_pd(a, b) }
    }
    #[inline(always)]
    pub fn max(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_max_pd(a, b) }
    }
    #[inline(always)]
    pub fn min(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_min_pd(a, b) }
    }
    /// Clamps to ±`max`, then zeroes lanes whose magnitude is below `floor`.
    #[inline(always)]
    pub fn saturate_flush(v: Raw, max: f64, floor: f64) -> Raw {
        unsafe {
            let v = _mm_min_pd(_mm_max_pd(v, _mm_set1_pd(-max)), _mm_set1_pd(max));
            let abs = _mm_andnot_pd(_mm_set1_pd(-0.0), v);
            let tiny = _mm_cmplt_pd(abs, _mm_set1_pd(floor));
            _mm_andnot_pd(tiny, v)
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod imp {
    pub type Raw = [f64; 2];

    #[inline(always)]
    pub fn new(a: f64, b: f64) -> Raw {
        [a, b]
    }
    #[inline(always)]
    pub fn splat(v: f64) -> Raw {
        [v, v]
    }
    #[inline(always)]
    pub fn to_array(v: Raw) -> [f64; 2] {
        v
    }
    #[inline(always)]
    pub fn add(a: Raw, b: Raw) -> Raw {
        [a[0] + b[0], a[1] + b[1]]
    }
    #[inline(always)]
    pub fn sub(a: Raw, b: Raw) -> Raw {
        [a[0] - b[0], a[1] - b[1]]
    }
    #[inline(always)]
    pub fn mul(a: Raw, b: Raw) -> Raw {
        [a[0] * b[0], a[1] * b[1]]
    }
    #[inline(always)]
    pub fn max(a: Raw, b: Raw) -> Raw {
        [0, 1].map(|i| if a[i] > b[i] { a[i] } else { b[i] })
    }
    #[inline(always)]
    pub fn min(a: Raw, b: Raw) -> Raw {
        [0, 1].map(|i| if a[i] < b[i] { a[i] } else { b[i] })
    }
    #[inline(always)]
    pub fn saturate_flush(v: Raw, max: f64, floor: f64) -> Raw {
        v.map(|x| {
            let x = x.clamp(-max, max);
            if x.abs() < floor {
                0.0
            } else {
                x
            }
        })
    }
}

/// Two f64 values operated on together.
#[derive(Clone, Copy)]
pub(crate) struct F64x2(imp::Raw);

impl F64x2 {
    /// Lanes `[a, b]`.
    #[inline(always)]
    pub fn new(a: f64, b: f64) -> F64x2 {
        F64x2(imp::new(a, b))
    }

    /// Both lanes `v`.
    #[inline(always)]
    pub fn splat(v: f64) -> F64x2 {
        F64x2(imp::splat(v))
    }

    /// Both lanes zero.
    #[inline(always)]
    pub fn zero() -> F64x2 {
        F64x2::splat(0.0)
    }

    /// The lanes as an array.
    #[inline(always)]
    pub fn to_array(self) -> [f64; 2] {
        imp::to_array(self.0)
    }

    /// Both lanes rounded to output samples, exactly as
    /// [`to_output`](super::to_output) does one: saturated at ±`f32::MAX`,
    /// below the smallest normal `f32` flushed to +0. The clamp and flush run
    /// on both lanes at once.
    #[inline(always)]
    pub fn to_output(self) -> [f32; 2] {
        let v = imp::saturate_flush(self.0, f32::MAX as f64, super::OUTPUT_FLOOR);
        let [a, b] = imp::to_array(v);
        [a as f32, b as f32]
    }

    /// Per lane `self > other ? self : other` (`maxpd`: a NaN in `self`
    /// gives `other`). Not `f64::max`: that compiles to a branch or a longer
    /// NaN-aware sequence, this to one instruction.
    #[inline(always)]
    pub fn max(self, other: F64x2) -> F64x2 {
        F64x2(imp::max(self.0, other.0))
    }

    /// Per lane `self < other ? self : other` (`minpd`).
    #[inline(always)]
    pub fn min(self, other: F64x2) -> F64x2 {
        F64x2(imp::min(self.0, other.0))
    }

    /// Applies `f` to each lane (for cold paths such as denormal flushing).
    pub fn map(self, f: impl Fn(f64) -> f64) -> F64x2 {
        let [a, b] = self.to_array();
        F64x2::new(f(a), f(b))
    }
}

/// Four f64 lanes in an AVX register: two [`F64x2`] pairs side by side
/// (`lo` in lanes 0–1, `hi` in lanes 2–3). Its operations may only run inside
/// functions compiled with `#[target_feature(enable = "avx2")]`, called after
/// [`has_avx2`](super::has_avx2) said yes: there they inline into AVX code.
/// Each lane performs the same IEEE operation as [`F64x2`] would (no FMA).
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(crate) struct F64x4(std::arch::x86_64::__m256d);

#[cfg(target_arch = "x86_64")]
mod avx {
    // SAFETY, for every `unsafe` block below: the intrinsics need AVX, and
    // `F64x4` is only used by code that checked the CPU has AVX2 (see the type).
    #![allow(unused_unsafe)]
    use super::{F64x2, F64x4};
    use std::arch::x86_64::*;
    use std::ops::{Add, Mul, Sub};

    impl F64x4 {
        /// `lo` in lanes 0–1, `hi` in lanes 2–3.
        #[inline(always)]
        pub fn join(lo: F64x2, hi: F64x2) -> F64x4 {
            F64x4(unsafe { _mm256_insertf128_pd::<1>(_mm256_castpd128_pd256(lo.0), hi.0) })
        }
        /// `[lo, lo, hi, hi]`.
        #[inline(always)]
        pub fn splat2(lo: f64, hi: f64) -> F64x4 {
            F64x4(unsafe { _mm256_set_pd(hi, hi, lo, lo) })
        }
        /// Lanes 0–1.
        #[inline(always)]
        pub fn lo(self) -> F64x2 {
            F64x2(unsafe { _mm256_castpd256_pd128(self.0) })
        }
        /// Lanes 2–3.
        #[inline(always)]
        pub fn hi(self) -> F64x2 {
            F64x2(unsafe { _mm256_extractf128_pd::<1>(self.0) })
        }
        /// A lane mask for [`select`](F64x4::select): all ones in the halves that are `true`.
        #[inline(always)]
        pub fn mask(lo: bool, hi: bool) -> F64x4 {
            let (l, h) = (-(lo as i64), -(hi as i64));
            F64x4(unsafe { _mm256_castsi256_pd(_mm256_set_epi64x(h, h, l, l)) })
        }
        /// Per lane: `a` where `mask` is set, else `b`.
        #[inline(always)]
        pub fn select(mask: F64x4, a: F64x4, b: F64x4) -> F64x4 {
            F64x4(unsafe { _mm256_blendv_pd(b.0, a.0, mask.0) })
        }
    }

    impl Add for F64x4 {
        type Output = F64x4;
        #[inline(always)]
        fn add(self, rhs: F64x4) -> F64x4 {
            F64x4(unsafe { _mm256_add_pd(self.0, rhs.0) })
        }
    }

    impl Sub for F64x4 {
        type Output = F64x4;
        #[inline(always)]
        fn sub(self, rhs: F64x4) -> F64x4 {
            F64x4(unsafe { _mm256_sub_pd(self.0, rhs.0) })
        }
    }

    impl Mul for F64x4 {
        type Output = F64x4;
        #[inline(always)]
        fn mul(self, rhs: F64x4) -> F64x4 {
            F64x4(unsafe { _mm256_mul_pd(self.0, rhs.0) })
        }
    }
}

impl Add for F64x2 {
    type Output = F64x2;
    #[inline(always)]
    fn add(self, rhs: F64x2) -> F64x2 {
        F64x2(imp::add(self.0, rhs.0))
    }
}

impl Sub for F64x2 {
    type Output = F64x2;
    #[inline(always)]
    fn sub(self, rhs: F64x2) -> F64x2 {
        F64x2(imp::sub(self.0, rhs.0))
    }
}

impl Mul for F64x2 {
    type Output = F64x2;
    #[inline(always)]
    fn mul(self, rhs: F64x2) -> F64x2 {
        F64x2(imp::mul(self.0, rhs.0))
    }
}

impl fmt::Debug for F64x2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_array().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_are_independent_ieee_operations() {
        let (a, b) = (F64x2::new(1.5, -2.0), F64x2::new(0.1, 3.0));
        assert_eq!((a + b).to_array(), [1.5 + 0.1, -2.0 + 3.0]);
        assert_eq!((a - b).to_array(), [1.5 - 0.1, -2.0 - 3.0]);
        assert_eq!((a * b).to_array(), [1.5 * 0.1, -2.0 * 3.0]);
        assert_eq!(F64x2::splat(7.0).to_array(), [7.0, 7.0]);
        assert_eq!(a.map(|x| x * 2.0).to_array(), [3.0, -4.0]);
        let nan = F64x2::new(f64::NAN, 2.0);
        assert_eq!(nan.max(F64x2::new(1.0, 5.0)).to_array(), [1.0, 5.0], "maxpd: NaN in self gives other");
        assert_eq!(nan.min(F64x2::new(1.0, 5.0)).to_array(), [1.0, 2.0]);
    }

    #[test]
    fn to_output_matches_the_scalar_rule_bit_for_bit() {
        let max = f32::MAX as f64;
        let values = [
            0.0,
            -0.0,
            1.0,
            -0.3,
            1e-30,
            -1e-38,
            1.2e-38,
            -1.1754944e-38,
            1e-45,
            max,
            -max,
            max * 1.0000001,
            -1e300,
            3.4e38,
            0.1f32 as f64 + 1e-12,
        ];
        for &a in &values {
            for &b in &values {
                let got = F64x2::new(a, b).to_output().map(f32::to_bits);
                let want = [super::super::to_output(a), super::super::to_output(b)];
                assert_eq!(got, want.map(f32::to_bits), "{a:e}, {b:e}");
            }
        }
    }
}
