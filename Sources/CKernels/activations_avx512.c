// AVX-512 exp for activations.c.
#include "loupe_kernels.h"
#include <math.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx2,fma,avx512f"))), apply_to = function)
#include "exp_avx512.h"

void lk_exp_shift_avx512(float *x, int64_t n, float shift, float *sum) {
    __m512 acc = _mm512_setzero_ps(), sh = _mm512_set1_ps(shift);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 e = exp512(_mm512_sub_ps(_mm512_loadu_ps(x + i), sh));
        _mm512_storeu_ps(x + i, e);
        acc = _mm512_add_ps(acc, e);
    }
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
        __m512 e = exp512(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), sh));
        _mm512_mask_storeu_ps(x + i, m, e);
        acc = _mm512_add_ps(acc, _mm512_maskz_mov_ps(m, e));
    }
    *sum = _mm512_reduce_add_ps(acc);
}

void lk_swiglu_avx512(float *gate, const float *up, int64_t n) {
    const __m512 one = _mm512_set1_ps(1.0f);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 g = _mm512_loadu_ps(gate + i);
        __m512 s = _mm512_div_ps(g, _mm512_add_ps(one, exp512(_mm512_sub_ps(_mm512_setzero_ps(), g))));
        _mm512_storeu_ps(gate + i, _mm512_mul_ps(s, _mm512_loadu_ps(up + i)));
    }
    for (; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

#pragma clang attribute pop
#else
void lk_exp_shift_avx512(float *x, int64_t n, float shift, float *sum) { (void)x; (void)n; (void)shift; *sum = 0; }
void lk_swiglu_avx512(float *gate, const float *up, int64_t n) { (void)gate; (void)up; (void)n; }
#endif
