//! Hot loops compiled a second time for AVX2 and chosen at run time.

/// Runs `f` inside a function compiled for AVX2 when the CPU has it (x86-64), else as
/// is. Code inlined into `f` (mark hot helpers `#[inline(always)]`) then uses 8-wide
/// vectors; the arithmetic and its order are unchanged (Rust never fuses a multiply and
/// an add on its own), so results are the same bit for bit, only sooner.
#[inline(always)]
pub(crate) fn with_avx2<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        #[target_feature(enable = "avx2")]
        fn run<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { run(f) };
    }
    f()
}
