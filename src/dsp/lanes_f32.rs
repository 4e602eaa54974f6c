//! f32 values in SIMD registers, for the block-wise stages of the dynamics
//! processors (levels, static gains, dB → linear): the [`Lanes`] operations,
//! on four lanes ([`F32x4`]) everywhere and on eight ([`F32x8`]) on x86-64
//! machines with AVX2.
//!
//! On x86-64, `F32x4` is an SSE2 `__m128` (part of the x86-64 baseline, no
//! runtime detection); elsewhere a plain `[f32; 4]` doing the same IEEE
//! operations lane by lane. `F32x8` is an AVX `__m256`, used only inside
//! functions compiled for AVX2 after the CPU was checked. Every version
//! does the same IEEE operations per lane, so the results are bit-identical
//! whichever runs: no FMA, no approximate reciprocals, and integer
//! conversions only of exactly representable values.

use std::ops::{Add, Mul, Sub};

/// The lane operations the block-wise code is written in (see the module docs).
pub(crate) trait Lanes: Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> {
    /// Lanes in one value.
    const N: usize;
    /// All lanes `v`.
    fn splat(v: f32) -> Self;
    /// The first `N` values of `s`.
    fn load(s: &[f32]) -> Self;
    /// Writes the lanes to the first `N` values of `s`.
    fn store(self, s: &mut [f32]);
    /// Per lane `self > other ? self : other` (`maxps`: a NaN in `self` gives `other`).
    fn max(self, other: Self) -> Self;
    /// Per lane `self < other ? self : other` (`minps`).
    fn min(self, other: Self) -> Self;
    /// `a` in the lanes where `self > other`, `b` elsewhere.
    fn gt_select(self, other: Self, a: Self, b: Self) -> Self;
    /// The lanes' bits AND `m`, as floats again.
    fn bits_and(self, m: u32) -> Self;
    /// The lanes' bits OR `m`.
    fn bits_or(self, m: u32) -> Self;
    /// The lanes' bits plus `v`, as wrapping 32-bit integers.
    fn bits_add(self, v: u32) -> Self;
    /// The lanes' bits shifted right by 23 (logical): a float's exponent field.
    fn bits_shr23(self) -> Self;
    /// The lanes' bits shifted left by 23: into a float's exponent field.
    fn bits_shl23(self) -> Self;
    /// The lanes' bits read as i32 and converted to f32 (exact below 2^24).
    fn bits_to_float(self) -> Self;
}

#[cfg(target_arch = "x86_64")]
mod imp {
    // The intrinsics used here became safe to call in Rust 1.87; the crate's
    // MSRV is 1.85, where they still need `unsafe`.
    #![allow(unused_unsafe)]
    use std::arch::x86_64::*;

    pub type Raw = __m128;

    #[inline(always)]
    pub fn splat(v: f32) -> Raw {
        unsafe { _mm_set1_ps(v) }
    }
    #[inline(always)]
    pub fn load(s: &[f32; 4]) -> Raw {
        unsafe { _mm_loadu_ps(s.as_ptr()) }
    }
    #[inline(always)]
    pub fn store(v: Raw, s: &mut [f32; 4]) {
        unsafe { _mm_storeu_ps(s.as_mut_ptr(), v) }
    }
    #[inline(always)]
    pub fn add(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_add_ps(a, b) }
    }
    #[inline(always)]
    pub fn sub(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_sub_ps(a, b) }
    }
    #[inline(always)]
    pub fn mul(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_mul_ps(a, b) }
    }
    #[inline(always)]
    pub fn max(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_max_ps(a, b) }
    }
    #[inline(always)]
    pub fn min(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_min_ps(a, b) }
    }
    #[inline(always)]
    pub fn gt(a: Raw, b: Raw) -> Raw {
        unsafe { _mm_cmpgt_ps(a, b) }
    }
    #[inline(always)]
    pub fn select(mask: Raw, a: Raw, b: Raw) -> Raw {
        unsafe { _mm_or_ps(_mm_and_ps(mask, a), _mm_andnot_ps(mask, b)) }
    }
    #[inline(always)]
    pub fn bits_and(a: Raw, m: u32) -> Raw {
        unsafe { _mm_and_ps(a, _mm_castsi128_ps(_mm_set1_epi32(m as i32))) }
    }
    #[inline(always)]
    pub fn bits_or(a: Raw, m: u32) -> Raw {
        unsafe { _mm_or_ps(a, _mm_castsi128_ps(_mm_set1_epi32(m as i32))) }
    }
    #[inline(always)]
    pub fn bits_add(a: Raw, v: u32) -> Raw {
        unsafe { _mm_castsi128_ps(_mm_add_epi32(_mm_castps_si128(a), _mm_set1_epi32(v as i32))) }
    }
    #[inline(always)]
    pub fn bits_shr<const N: i32>(a: Raw) -> Raw {
        unsafe { _mm_castsi128_ps(_mm_srli_epi32::<N>(_mm_castps_si128(a))) }
    }
    #[inline(always)]
    pub fn bits_shl<const N: i32>(a: Raw) -> Raw {
        unsafe { _mm_castsi128_ps(_mm_slli_epi32::<N>(_mm_castps_si128(a))) }
    }
    #[inline(always)]
    pub fn bits_to_float(a: Raw) -> Raw {
        unsafe { _mm_cvtepi32_ps(_mm_castps_si128(a)) }
    }
    #[cfg(test)]
    pub fn to_array(v: Raw) -> [f32; 4] {
        let mut out = [0.0; 4];
        store(v, &mut out);
        out
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod imp {
    pub type Raw = [f32; 4];

    fn zip(a: Raw, b: Raw, f: impl Fn(f32, f32) -> f32) -> Raw {
        [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])]
    }
    fn bits(a: Raw, f: impl Fn(u32) -> u32) -> Raw {
        a.map(|x| f32::from_bits(f(x.to_bits())))
    }
    #[inline(always)]
    pub fn splat(v: f32) -> Raw {
        [v; 4]
    }
    #[inline(always)]
    pub fn load(s: &[f32; 4]) -> Raw {
        *s
    }
    #[inline(always)]
    pub fn store(v: Raw, s: &mut [f32; 4]) {
        *s = v;
    }
    #[inline(always)]
    pub fn add(a: Raw, b: Raw) -> Raw {
        zip(a, b, |x, y| x + y)
    }
    #[inline(always)]
    pub fn sub(a: Raw, b: Raw) -> Raw {
        zip(a, b, |x, y| x - y)
    }
    #[inline(always)]
    pub fn mul(a: Raw, b: Raw) -> Raw {
        zip(a, b, |x, y| x * y)
    }
    #[inline(always)]
    pub fn max(a: Raw, b: Raw) -> Raw {
        zip(a, b, |x, y| if x > y { x } else { y })
    }
    #[inline(always)]
    pub fn min(a: Raw, b: Raw) -> Raw {
        zip(a, b, |x, y| if x < y { x } else { y })
    }
    #[inline(always)]
    pub fn gt(a: Raw, b: Raw) -> Raw {
        zip(a, b, |x, y| f32::from_bits(if x > y { u32::MAX } else { 0 }))
    }
    #[inline(always)]
    pub fn select(mask: Raw, a: Raw, b: Raw) -> Raw {
        [0, 1, 2, 3].map(|i| if mask[i].to_bits() != 0 { a[i] } else { b[i] })
    }
    #[inline(always)]
    pub fn bits_and(a: Raw, m: u32) -> Raw {
        bits(a, |x| x & m)
    }
    #[inline(always)]
    pub fn bits_or(a: Raw, m: u32) -> Raw {
        bits(a, |x| x | m)
    }
    #[inline(always)]
    pub fn bits_add(a: Raw, v: u32) -> Raw {
        bits(a, |x| x.wrapping_add(v))
    }
    #[inline(always)]
    pub fn bits_shr<const N: i32>(a: Raw) -> Raw {
        bits(a, |x| x >> N)
    }
    #[inline(always)]
    pub fn bits_shl<const N: i32>(a: Raw) -> Raw {
        bits(a, |x| x << N)
    }
    #[inline(always)]
    pub fn bits_to_float(a: Raw) -> Raw {
        a.map(|x| x.to_bits() as i32 as f32)
    }
    #[cfg(test)]
    pub fn to_array(v: Raw) -> [f32; 4] {
        v
    }
}

/// Four f32 values operated on together.
#[derive(Clone, Copy)]
pub(crate) struct F32x4(imp::Raw);

impl F32x4 {
    /// All lanes `v`.
    #[inline(always)]
    pub fn splat(v: f32) -> F32x4 {
        F32x4(imp::splat(v))
    }

    #[inline(always)]
    pub fn load(s: &[f32; 4]) -> F32x4 {
        F32x4(imp::load(s))
    }

    #[inline(always)]
    pub fn store(self, s: &mut [f32; 4]) {
        imp::store(self.0, s)
    }

    #[cfg(test)]
    pub fn to_array(self) -> [f32; 4] {
        imp::to_array(self.0)
    }

    /// Per lane `self > other ? self : other` (`maxps`: a NaN in `self`
    /// gives `other`).
    #[inline(always)]
    pub fn max(self, other: F32x4) -> F32x4 {
        F32x4(imp::max(self.0, other.0))
    }

    /// Per lane `self < other ? self : other` (`minps`).
    #[inline(always)]
    pub fn min(self, other: F32x4) -> F32x4 {
        F32x4(imp::min(self.0, other.0))
    }

    /// `a` in the lanes where `self > other`, `b` elsewhere.
    #[inline(always)]
    pub fn gt_select(self, other: F32x4, a: F32x4, b: F32x4) -> F32x4 {
        F32x4(imp::select(imp::gt(self.0, other.0), a.0, b.0))
    }

    /// The lanes' bits AND `m`, as floats again.
    #[inline(always)]
    pub fn bits_and(self, m: u32) -> F32x4 {
        F32x4(imp::bits_and(self.0, m))
    }

    /// The lanes' bits OR `m`.
    #[inline(always)]
    pub fn bits_or(self, m: u32) -> F32x4 {
        F32x4(imp::bits_or(self.0, m))
    }

    /// The lanes' bits plus `v`, as wrapping 32-bit integers.
    #[inline(always)]
    pub fn bits_add(self, v: u32) -> F32x4 {
        F32x4(imp::bits_add(self.0, v))
    }

    /// The lanes' bits shifted right by `N` (logical).
    #[inline(always)]
    pub fn bits_shr<const N: i32>(self) -> F32x4 {
        F32x4(imp::bits_shr::<N>(self.0))
    }

    /// The lanes' bits shifted left by `N`.
    #[inline(always)]
    pub fn bits_shl<const N: i32>(self) -> F32x4 {
        F32x4(imp::bits_shl::<N>(self.0))
    }

    /// The lanes' bits read as i32 and converted to f32 (exact below 2^24).
    #[inline(always)]
    pub fn bits_to_float(self) -> F32x4 {
        F32x4(imp::bits_to_float(self.0))
    }
}

impl Lanes for F32x4 {
    const N: usize = 4;
    #[inline(always)]
    fn splat(v: f32) -> Self {
        F32x4::splat(v)
    }
    #[inline(always)]
    fn load(s: &[f32]) -> Self {
        F32x4::load(s[..4].try_into().expect("4 values"))
    }
    #[inline(always)]
    fn store(self, s: &mut [f32]) {
        F32x4::store(self, (&mut s[..4]).try_into().expect("4 values"))
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        F32x4::max(self, other)
    }
    #[inline(always)]
    fn min(self, other: Self) -> Self {
        F32x4::min(self, other)
    }
    #[inline(always)]
    fn gt_select(self, other: Self, a: Self, b: Self) -> Self {
        F32x4::gt_select(self, other, a, b)
    }
    #[inline(always)]
    fn bits_and(self, m: u32) -> Self {
        F32x4::bits_and(self, m)
    }
    #[inline(always)]
    fn bits_or(self, m: u32) -> Self {
        F32x4::bits_or(self, m)
    }
    #[inline(always)]
    fn bits_add(self, v: u32) -> Self {
        F32x4::bits_add(self, v)
    }
    #[inline(always)]
    fn bits_shr23(self) -> Self {
        self.bits_shr::<23>()
    }
    #[inline(always)]
    fn bits_shl23(self) -> Self {
        self.bits_shl::<23>()
    }
    #[inline(always)]
    fn bits_to_float(self) -> Self {
        F32x4::bits_to_float(self)
    }
}

impl Add for F32x4 {
    type Output = F32x4;
    #[inline(always)]
    fn add(self, rhs: F32x4) -> F32x4 {
        F32x4(imp::add(self.0, rhs.0))
    }
}

impl Sub for F32x4 {
    type Output = F32x4;
    #[inline(always)]
    fn sub(self, rhs: F32x4) -> F32x4 {
        F32x4(imp::sub(self.0, rhs.0))
    }
}

impl Mul for F32x4 {
    type Output = F32x4;
    #[inline(always)]
    fn mul(self, rhs: F32x4) -> F32x4 {
        F32x4(imp::mul(self.0, rhs.0))
    }
}

/// Eight f32 lanes in an AVX register. Its operations may only run inside
/// functions compiled with `#[target_feature(enable = "avx2")]`, called after
/// `is_x86_feature_detected!("avx2")` said yes: there they inline into AVX2
/// code.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(crate) struct F32x8(std::arch::x86_64::__m256);

#[cfg(target_arch = "x86_64")]
mod avx {
    // SAFETY, for every `unsafe` block below: the intrinsics need AVX and AVX2,
    // and `F32x8` is only used by code that checked the CPU has them (see the type).
    #![allow(unused_unsafe)]
    use super::{F32x8, Lanes};
    use std::arch::x86_64::*;
    use std::ops::{Add, Mul, Sub};

    impl Lanes for F32x8 {
        const N: usize = 8;
        #[inline(always)]
        fn splat(v: f32) -> Self {
            F32x8(unsafe { _mm256_set1_ps(v) })
        }
        #[inline(always)]
        fn load(s: &[f32]) -> Self {
            let s = &s[..8];
            F32x8(unsafe { _mm256_loadu_ps(s.as_ptr()) })
        }
        #[inline(always)]
        fn store(self, s: &mut [f32]) {
            let s = &mut s[..8];
            unsafe { _mm256_storeu_ps(s.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        fn max(self, other: Self) -> Self {
            F32x8(unsafe { _mm256_max_ps(self.0, other.0) })
        }
        #[inline(always)]
        fn min(self, other: Self) -> Self {
            F32x8(unsafe { _mm256_min_ps(self.0, other.0) })
        }
        #[inline(always)]
        fn gt_select(self, other: Self, a: Self, b: Self) -> Self {
            // blendv takes the second operand where the mask is set.
            F32x8(unsafe { _mm256_blendv_ps(b.0, a.0, _mm256_cmp_ps::<_CMP_GT_OQ>(self.0, other.0)) })
        }
        #[inline(always)]
        fn bits_and(self, m: u32) -> Self {
            F32x8(unsafe { _mm256_and_ps(self.0, _mm256_castsi256_ps(_mm256_set1_epi32(m as i32))) })
        }
        #[inline(always)]
        fn bits_or(self, m: u32) -> Self {
            F32x8(unsafe { _mm256_or_ps(self.0, _mm256_castsi256_ps(_mm256_set1_epi32(m as i32))) })
        }
        #[inline(always)]
        fn bits_add(self, v: u32) -> Self {
            let sum = unsafe { _mm256_add_epi32(_mm256_castps_si256(self.0), _mm256_set1_epi32(v as i32)) };
            F32x8(unsafe { _mm256_castsi256_ps(sum) })
        }
        #[inline(always)]
        fn bits_shr23(self) -> Self {
            F32x8(unsafe { _mm256_castsi256_ps(_mm256_srli_epi32::<23>(_mm256_castps_si256(self.0))) })
        }
        #[inline(always)]
        fn bits_shl23(self) -> Self {
            F32x8(unsafe { _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_castps_si256(self.0))) })
        }
        #[inline(always)]
        fn bits_to_float(self) -> Self {
            F32x8(unsafe { _mm256_cvtepi32_ps(_mm256_castps_si256(self.0)) })
        }
    }

    impl Add for F32x8 {
        type Output = F32x8;
        #[inline(always)]
        fn add(self, rhs: F32x8) -> F32x8 {
            F32x8(unsafe { _mm256_add_ps(self.0, rhs.0) })
        }
    }

    impl Sub for F32x8 {
        type Output = F32x8;
        #[inline(always)]
        fn sub(self, rhs: F32x8) -> F32x8 {
            F32x8(unsafe { _mm256_sub_ps(self.0, rhs.0) })
        }
    }

    impl Mul for F32x8 {
        type Output = F32x8;
        #[inline(always)]
        fn mul(self, rhs: F32x8) -> F32x8 {
            F32x8(unsafe { _mm256_mul_ps(self.0, rhs.0) })
        }
    }
}

/// Whether this CPU runs [`F32x8`] code (checked once, then cached by std).
pub(crate) fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_follow_the_scalar_rules() {
        let nan = f32::NAN;
        let a = F32x4::load(&[1.0, nan, -2.0, 0.5]);
        let b = F32x4::load(&[2.0, 5.0, -3.0, 0.5]);
        assert_eq!((a + b).to_array()[0], 3.0);
        assert_eq!((a - b).to_array()[2], 1.0);
        assert_eq!((a * b).to_array()[3], 0.25);
        assert_eq!(a.max(b).to_array(), [2.0, 5.0, -2.0, 0.5], "maxps: NaN in self gives other");
        assert_eq!(a.min(b).to_array(), [1.0, 5.0, -3.0, 0.5]);
        let (x, y) = (F32x4::splat(10.0), F32x4::splat(20.0));
        assert_eq!(a.gt_select(b, x, y).to_array(), [20.0, 20.0, 10.0, 20.0], "NaN compares false");
        let v = F32x4::load(&[-1.5, 1e-30, 3.0, 0.0]);
        let bits = v.to_array().map(f32::to_bits);
        assert_eq!(v.bits_shr::<23>().to_array().map(f32::to_bits), bits.map(|b| b >> 23));
        assert_eq!(v.bits_shl::<3>().to_array().map(f32::to_bits), bits.map(|b| b << 3));
        assert_eq!(v.bits_and(0xff).to_array().map(f32::to_bits), bits.map(|b| b & 0xff));
        assert_eq!(v.bits_or(1 << 30).to_array().map(f32::to_bits), bits.map(|b| b | 1 << 30));
        assert_eq!(v.bits_add(u32::MAX).to_array().map(f32::to_bits), bits.map(|b| b.wrapping_sub(1)));
        let ints = F32x4::load(&[0, 1, 127, -300i32].map(|i| f32::from_bits(i as u32)));
        assert_eq!(ints.bits_to_float().to_array(), [0.0, 1.0, 127.0, -300.0]);
    }
}
