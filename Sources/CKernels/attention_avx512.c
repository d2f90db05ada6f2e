// AVX-512 single-token attention for the query heads that share one KV head (head dimension a multiple of 16,
// at most 128): each key and value row is loaded once for all of them, scores come 16 positions at a time
// through a transposing sum (no horizontal reduction per score), and the softmax uses a vectorised exp.
#include "loupe_kernels.h"
#include <math.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx2,fma,avx512f"))), apply_to = function)
#include "exp_avx512.h"

// acc[slot] for slot = perm[s] holds the partial sums of position s; the result's element s is their total.
static const int perm[16] = {0, 2, 1, 3, 8, 10, 9, 11, 4, 6, 5, 7, 12, 14, 13, 15};

// The 16 lane totals of acc[0…15] as one vector, element s = total of acc[perm[s]].
static inline __m512 sum16(const __m512 acc[16]) {
    __m512 x[8], y[4], z[2];
    for (int i = 0; i < 8; i++)
        x[i] = _mm512_add_ps(_mm512_shuffle_f32x4(acc[i], acc[i + 8], 0x44), _mm512_shuffle_f32x4(acc[i], acc[i + 8], 0xEE));
    for (int i = 0; i < 4; i++)
        y[i] = _mm512_add_ps(_mm512_shuffle_f32x4(x[i], x[i + 4], 0x88), _mm512_shuffle_f32x4(x[i], x[i + 4], 0xDD));
    for (int i = 0; i < 2; i++)
        z[i] = _mm512_add_ps(_mm512_unpacklo_ps(y[i], y[i + 2]), _mm512_unpackhi_ps(y[i], y[i + 2]));
    return _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(z[0]), _mm512_castps_pd(z[1]))),
                         _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(z[0]), _mm512_castps_pd(z[1]))));
}

void lk_attention_group_avx512(const float *q, int m, const float *k, const float *v, int64_t t, int64_t stride,
                               int hd, float scale, float *out, float *scores) {
    int nb = hd / 16;
    // Scores: scores[j·t + p] = scale · q_j · k_p.
    for (int j = 0; j < m; j++) {
        __m512 qv[8];
        for (int b = 0; b < nb; b++) qv[b] = _mm512_mul_ps(_mm512_loadu_ps(q + j * hd + 16 * b), _mm512_set1_ps(scale));
        float *s = scores + (size_t)j * t;
        int64_t p = 0;
        for (; p + 16 <= t; p += 16) {
            __m512 acc[16];
            for (int i = 0; i < 16; i++) {
                const float *kp = k + (p + i) * stride;
                __m512 a = _mm512_mul_ps(qv[0], _mm512_loadu_ps(kp));
                for (int b = 1; b < nb; b++) a = _mm512_fmadd_ps(qv[b], _mm512_loadu_ps(kp + 16 * b), a);
                acc[perm[i]] = a;
            }
            _mm512_storeu_ps(s + p, sum16(acc));
        }
        for (; p < t; p++) {
            const float *kp = k + p * stride;
            __m512 a = _mm512_mul_ps(qv[0], _mm512_loadu_ps(kp));
            for (int b = 1; b < nb; b++) a = _mm512_fmadd_ps(qv[b], _mm512_loadu_ps(kp + 16 * b), a);
            s[p] = _mm512_reduce_add_ps(a);
        }
        // Softmax in place.
        __m512 mx = _mm512_set1_ps(-INFINITY);
        int64_t i = 0;
        for (; i + 16 <= t; i += 16) mx = _mm512_max_ps(mx, _mm512_loadu_ps(s + i));
        float top = _mm512_reduce_max_ps(mx);
        for (; i < t; i++) top = s[i] > top ? s[i] : top;
        __m512 sum = _mm512_setzero_ps(), tv = _mm512_set1_ps(top);
        for (i = 0; i + 16 <= t; i += 16) {
            __m512 e = exp512(_mm512_sub_ps(_mm512_loadu_ps(s + i), tv));
            _mm512_storeu_ps(s + i, e);
            sum = _mm512_add_ps(sum, e);
        }
        float total = _mm512_reduce_add_ps(sum);
        for (; i < t; i++) { s[i] = expf(s[i] - top); total += s[i]; }
        __m512 inv = _mm512_set1_ps(1.0f / total);
        for (i = 0; i + 16 <= t; i += 16) _mm512_storeu_ps(s + i, _mm512_mul_ps(_mm512_loadu_ps(s + i), inv));
        for (; i < t; i++) s[i] *= 1.0f / total;
    }
    // Values: out_j = Σ_p w_j[p] · v_p, each value row loaded once for up to 16 / nb heads at a time.
    int per = 16 / nb;
    for (int j0 = 0; j0 < m; j0 += per) {
        int jn = m - j0 < per ? m - j0 : per;
        __m512 o[16];
        for (int r = 0; r < jn * nb; r++) o[r] = _mm512_setzero_ps();
        for (int64_t p = 0; p < t; p++) {
            const float *vp = v + p * stride;
            __m512 vv[8];
            for (int b = 0; b < nb; b++) vv[b] = _mm512_loadu_ps(vp + 16 * b);
            for (int j = 0; j < jn; j++) {
                __m512 w = _mm512_set1_ps(scores[(size_t)(j0 + j) * t + p]);
                for (int b = 0; b < nb; b++) o[j * nb + b] = _mm512_fmadd_ps(w, vv[b], o[j * nb + b]);
            }
        }
        for (int j = 0; j < jn; j++)
            for (int b = 0; b < nb; b++) _mm512_storeu_ps(out + (size_t)(j0 + j) * hd + 16 * b, o[j * nb + b]);
    }
}

#pragma clang attribute pop
#else
void lk_attention_group_avx512(const float *q, int m, const float *k, const float *v, int64_t t, int64_t stride,
                               int hd, float scale, float *out, float *scores) {
    (void)q; (void)m; (void)k; (void)v; (void)t; (void)stride; (void)hd; (void)scale; (void)out; (void)scores;
}
#endif
