// AVX-512 inner loops of single-token attention (head dimension a multiple of 16).
#include "loupe_kernels.h"
#include <math.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx2,fma,avx512f"))), apply_to = function)

void lk_attention_head_avx512(const float *q, const float *k, const float *v, int64_t t, int64_t stride, int hd,
                              float scale, float *out, float *scores) {
    float mx = -INFINITY;
    for (int64_t p = 0; p < t; p++) {
        const float *kp = k + p * stride;
        __m512 acc = _mm512_setzero_ps();
        for (int i = 0; i < hd; i += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(q + i), _mm512_loadu_ps(kp + i), acc);
        float s = _mm512_reduce_add_ps(acc) * scale;
        scores[p] = s;
        if (s > mx) mx = s;
    }
    float sum = 0;
    for (int64_t p = 0; p < t; p++) { scores[p] = expf(scores[p] - mx); sum += scores[p]; }
    float inv = 1.0f / sum;
    __m512 o[8];  // hd ≤ 128 kept in registers
    int blocks = hd / 16;
    if (blocks <= 8) {
        for (int b = 0; b < blocks; b++) o[b] = _mm512_setzero_ps();
        for (int64_t p = 0; p < t; p++) {
            __m512 w = _mm512_set1_ps(scores[p] * inv);
            const float *vp = v + p * stride;
            for (int b = 0; b < blocks; b++) o[b] = _mm512_fmadd_ps(w, _mm512_loadu_ps(vp + 16 * b), o[b]);
        }
        for (int b = 0; b < blocks; b++) _mm512_storeu_ps(out + 16 * b, o[b]);
        return;
    }
    for (int i = 0; i < hd; i++) out[i] = 0;
    for (int64_t p = 0; p < t; p++) {
        __m512 w = _mm512_set1_ps(scores[p] * inv);
        const float *vp = v + p * stride;
        for (int i = 0; i < hd; i += 16)
            _mm512_storeu_ps(out + i, _mm512_fmadd_ps(w, _mm512_loadu_ps(vp + i), _mm512_loadu_ps(out + i)));
    }
}

#pragma clang attribute pop
#else
void lk_attention_head_avx512(const float *q, const float *k, const float *v, int64_t t, int64_t stride, int hd,
                              float scale, float *out, float *scores) {
    (void)q; (void)k; (void)v; (void)t; (void)stride; (void)hd; (void)scale; (void)out; (void)scores;
}
#endif
