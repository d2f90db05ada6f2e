// The 8×32 convolution micro-kernel of conv_gemm.c in AVX-512: 16 accumulators, per k two loads of the
// panel row and eight broadcast multiply-adds; column tails use masked loads and stores.
#include "loupe_kernels.h"
#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>

__attribute__((target("avx2,fma,avx512f")))
void lk_conv_kernel_avx512(int64_t k, const float *wp, const float *p, int64_t ldp, float *c, int64_t ldc, int rows, int cols,
                           const float *bias) {
    __mmask16 m0 = cols >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << cols) - 1);
    __mmask16 m1 = cols <= 16 ? (__mmask16)0 : cols >= 32 ? (__mmask16)0xFFFF : (__mmask16)((1u << (cols - 16)) - 1);
#define LK_INIT(r) __m512 a##r##0 = _mm512_set1_ps(bias && r < rows ? bias[r] : 0.0f), a##r##1 = a##r##0;
    LK_INIT(0) LK_INIT(1) LK_INIT(2) LK_INIT(3) LK_INIT(4) LK_INIT(5) LK_INIT(6) LK_INIT(7)
#undef LK_INIT
    for (int64_t kk = 0; kk < k; kk++) {
        const float *row = p + kk * ldp, *a = wp + kk * LK_CONV_MR;
        __m512 b0 = _mm512_maskz_loadu_ps(m0, row), b1 = _mm512_maskz_loadu_ps(m1, row + 16);
#define LK_FMA(r) { __m512 s = _mm512_set1_ps(a[r]); a##r##0 = _mm512_fmadd_ps(s, b0, a##r##0); a##r##1 = _mm512_fmadd_ps(s, b1, a##r##1); }
        LK_FMA(0) LK_FMA(1) LK_FMA(2) LK_FMA(3) LK_FMA(4) LK_FMA(5) LK_FMA(6) LK_FMA(7)
#undef LK_FMA
    }
#define LK_STORE(r) if (r < rows) { _mm512_mask_storeu_ps(c + r * ldc, m0, a##r##0); _mm512_mask_storeu_ps(c + r * ldc + 16, m1, a##r##1); }
    LK_STORE(0) LK_STORE(1) LK_STORE(2) LK_STORE(3) LK_STORE(4) LK_STORE(5) LK_STORE(6) LK_STORE(7)
#undef LK_STORE
}
#endif
