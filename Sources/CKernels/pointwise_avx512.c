// The pointwise loops of pointwise_impl.h compiled for AVX-512 (the compiler vectorises each loop).
#include "loupe_kernels.h"
#include <math.h>

#if defined(__x86_64__) && defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,avx512f"))), apply_to = function)
#include "exp_avx512.h"
#define PW_SIGMOID_SPAN(s, len) sigmoid_span(s, len)
static void sigmoid_span(float *s, int64_t len) {
    const __m512 one = _mm512_set1_ps(1.0f);
    int64_t t = 0;
    for (; t + 16 <= len; t += 16) {
        __m512 v = _mm512_loadu_ps(s + t);
        _mm512_storeu_ps(s + t, _mm512_div_ps(one, _mm512_add_ps(one, exp512(_mm512_sub_ps(_mm512_setzero_ps(), v)))));
    }
    if (t < len) {
        __mmask16 m = (__mmask16)((1u << (len - t)) - 1);
        __m512 v = _mm512_maskz_loadu_ps(m, s + t);
        _mm512_mask_storeu_ps(s + t, m, _mm512_div_ps(one, _mm512_add_ps(one, exp512(_mm512_sub_ps(_mm512_setzero_ps(), v)))));
    }
}
#define PW_FUNCTION lk_pointwise_span_avx512
#include "pointwise_impl.h"
#undef PW_FUNCTION
#undef PW_SIGMOID_SPAN
#pragma clang attribute pop
#else
void lk_pointwise_span_generic(const lk_pw_op *ops, int count, int64_t channel, float *v, int64_t n);
void lk_pointwise_span_avx512(const lk_pw_op *ops, int count, int64_t channel, float *v, int64_t n) {
    lk_pointwise_span_generic(ops, count, channel, v, n);
}
#endif
