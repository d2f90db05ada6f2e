// AVX-512 (F, BW, VL, VNNI) kernels for the quantized block formats. Every function here is compiled for
// those features only; quant_scalar.c calls them after checking the CPU at run time.
// Dot products stay in integers inside a block: weights unpacked to unsigned bytes, activations as int8,
// vpdpbusd accumulates, and per-block offsets are corrected with the activation block sums.
#include "loupe_kernels.h"
#include "quant_blocks.h"
#include <immintrin.h>
#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#define LK_HAVE_AVX512 1
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni,avx512dq"))), apply_to = function)

static inline float h2f(uint16_t h) { return _cvtsh_ss(h); }

static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// 16 bytes of packed nibbles -> 32 bytes: low nibbles (elements 0..15) then high nibbles (16..31).
static inline __m256i unpack_nibbles(const uint8_t *qs) {
    __m128i v = _mm_loadu_si128((const __m128i *)qs);
    __m128i m = _mm_set1_epi8(0x0F);
    __m128i lo = _mm_and_si128(v, m), hi = _mm_and_si128(_mm_srli_epi16(v, 4), m);
    return _mm256_set_m128i(hi, lo);
}

// Bit e of qh set -> 0x10 in byte e.
static inline __m256i high_bits(const uint8_t *qh) {
    uint32_t bits;
    memcpy(&bits, qh, 4);
    return _mm256_maskz_mov_epi8((__mmask32)bits, _mm256_set1_epi8(0x10));
}

static inline __m256i load32(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }

static inline __m256i dot_u8s8(__m256i u, const int8_t *q) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, load32(q));
}

// y[0..15] = u[0..15]·a + b for 16 unsigned bytes.
static inline void store16(float *y, __m128i u, float a, float b) {
    __m512 f = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(u));
    _mm512_storeu_ps(y, _mm512_fmadd_ps(f, _mm512_set1_ps(a), _mm512_set1_ps(b)));
}

static inline void store32(float *y, __m256i u, float a, float b) {
    store16(y, _mm256_castsi256_si128(u), a, b);
    store16(y + 16, _mm256_extracti128_si256(u, 1), a, b);
}

// Q6_K: the four 32-element groups of one 128-element half, as unsigned 6-bit values.
static inline void unpack_q6_half(const uint8_t *ql, const uint8_t *qh, __m256i u[4]) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(0x03);
    __m256i a = load32(ql), b = load32(ql + 32), h = load32(qh);
    u[0] = _mm256_or_si256(_mm256_and_si256(a, m4), _mm256_slli_epi16(_mm256_and_si256(h, m2), 4));
    u[1] = _mm256_or_si256(_mm256_and_si256(b, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), m2), 4));
    u[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(a, 4), m4),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), m2), 4));
    u[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(b, 4), m4),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), m2), 4));
}

// Q4_K/Q5_K: unsigned values of sub-blocks 2c and 2c+1.
static inline void unpack_k_chunk(const uint8_t *qs, const uint8_t *qh, int c, __m256i *lo, __m256i *hi) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    __m256i v = load32(qs + 32 * c);
    *lo = _mm256_and_si256(v, m4);
    *hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
    if (qh) {
        const __m256i one = _mm256_set1_epi8(1);
        __m256i h = load32(qh);
        __m256i b0 = _mm256_and_si256(_mm256_srli_epi16(h, 2 * c), one);
        __m256i b1 = _mm256_and_si256(_mm256_srli_epi16(h, 2 * c + 1), one);
        *lo = _mm256_or_si256(*lo, _mm256_slli_epi16(b0, 4));
        *hi = _mm256_or_si256(*hi, _mm256_slli_epi16(b1, 4));
    }
}

int lk_avx512_supported(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                 __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
                 __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("f16c") &&
                 __builtin_cpu_supports("fma");
    }
    return cached;
}

void lk_quantize_q8_avx512(const float *x, void *dst, int64_t n) {
    lk_block_q8 *y = (lk_block_q8 *)dst;
    const __m512 signmask = _mm512_set1_ps(-0.0f);
    for (int64_t i = 0; i < n / 32; i++) {
        __m512 a = _mm512_loadu_ps(x + 32 * i), b = _mm512_loadu_ps(x + 32 * i + 16);
        __m512 m = _mm512_max_ps(_mm512_andnot_ps(signmask, a), _mm512_andnot_ps(signmask, b));
        float amax = _mm512_reduce_max_ps(m);
        float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
        __m512 vid = _mm512_set1_ps(id);
        __m512i qa = _mm512_cvtps_epi32(_mm512_roundscale_ps(_mm512_mul_ps(a, vid), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m512i qb = _mm512_cvtps_epi32(_mm512_roundscale_ps(_mm512_mul_ps(b, vid), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        _mm_storeu_si128((__m128i *)y[i].qs, _mm512_cvtsepi32_epi8(qa));
        _mm_storeu_si128((__m128i *)(y[i].qs + 16), _mm512_cvtsepi32_epi8(qb));
        int sum = _mm512_reduce_add_epi32(_mm512_add_epi32(qa, qb));
        y[i].d = d;
        y[i].s = d * (float)sum;
    }
}

void lk_dequantize_avx512(int type, const void *src, float *dst, int64_t n) {
    const uint8_t *p = (const uint8_t *)src;
    switch (type) {
    case LK_F32:
        memcpy(dst, src, (size_t)n * 4);
        return;
    case LK_F16: {
        int64_t i = 0;
        for (; i + 16 <= n; i += 16)
            _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(p + 2 * i))));
        for (; i < n; i++) { uint16_t h; memcpy(&h, p + 2 * i, 2); dst[i] = h2f(h); }
        return;
    }
    case LK_BF16: {
        int64_t i = 0;
        for (; i + 16 <= n; i += 16) {
            __m512i v = _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(p + 2 * i))), 16);
            _mm512_storeu_ps(dst + i, _mm512_castsi512_ps(v));
        }
        if (i < n) lk_dequantize_scalar(type, p + 2 * i, dst + i, n - i);
        return;
    }
    case LK_Q4_0:
        for (int64_t i = 0; i < n / 32; i++) {
            const blk_q4_0 *x = (const blk_q4_0 *)p + i;
            float d = h2f(x->d);
            store32(dst + 32 * i, unpack_nibbles(x->qs), d, -8 * d);
        }
        return;
    case LK_Q4_1:
        for (int64_t i = 0; i < n / 32; i++) {
            const blk_q4_1 *x = (const blk_q4_1 *)p + i;
            store32(dst + 32 * i, unpack_nibbles(x->qs), h2f(x->d), h2f(x->m));
        }
        return;
    case LK_Q5_0:
        for (int64_t i = 0; i < n / 32; i++) {
            const blk_q5_0 *x = (const blk_q5_0 *)p + i;
            float d = h2f(x->d);
            store32(dst + 32 * i, _mm256_or_si256(unpack_nibbles(x->qs), high_bits(x->qh)), d, -16 * d);
        }
        return;
    case LK_Q5_1:
        for (int64_t i = 0; i < n / 32; i++) {
            const blk_q5_1 *x = (const blk_q5_1 *)p + i;
            store32(dst + 32 * i, _mm256_or_si256(unpack_nibbles(x->qs), high_bits(x->qh)),
                    h2f(x->d), h2f(x->m));
        }
        return;
    case LK_Q8_0:
        for (int64_t i = 0; i < n / 32; i++) {
            const blk_q8_0 *x = (const blk_q8_0 *)p + i;
            __m512 d = _mm512_set1_ps(h2f(x->d));
            __m256i q = load32(x->qs);
            _mm512_storeu_ps(dst + 32 * i, _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_castsi256_si128(q)))));
            _mm512_storeu_ps(dst + 32 * i + 16,
                             _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm256_extracti128_si256(q, 1)))));
        }
        return;
    case LK_Q4_K: case LK_Q5_K:
        for (int64_t i = 0; i < n / 256; i++) {
            lk_k_block kb = lk_k_block_at(type, p, i);
            const uint8_t *scales = kb.scales, *qs = kb.qs, *qh = kb.qh;
            float d = h2f(kb.d), dmin = h2f(kb.dmin);
            for (int c = 0; c < 4; c++) {
                __m256i lo, hi;
                uint8_t sc0, m0, sc1, m1;
                unpack_k_chunk(qs, qh, c, &lo, &hi);
                lk_scale_min_k4(2 * c, scales, &sc0, &m0);
                lk_scale_min_k4(2 * c + 1, scales, &sc1, &m1);
                store32(dst + 256 * i + 64 * c, lo, d * sc0, -dmin * m0);
                store32(dst + 256 * i + 64 * c + 32, hi, d * sc1, -dmin * m1);
            }
        }
        return;
    case LK_Q6_K:
        for (int64_t i = 0; i < n / 256; i++) {
            const blk_q6_k *x = (const blk_q6_k *)p + i;
            float d = h2f(x->d);
            for (int h = 0; h < 2; h++) {
                __m256i u[4];
                unpack_q6_half(x->ql + 64 * h, x->qh + 32 * h, u);
                for (int k = 0; k < 4; k++) {
                    float a0 = d * x->scales[8 * h + 2 * k], a1 = d * x->scales[8 * h + 2 * k + 1];
                    float *y = dst + 256 * i + 128 * h + 32 * k;
                    store16(y, _mm256_castsi256_si128(u[k]), a0, -32 * a0);
                    store16(y + 16, _mm256_extracti128_si256(u[k], 1), a1, -32 * a1);
                }
            }
        }
        return;
    }
}

static float dot_float_types(int type, const uint8_t *p, const float *x, int64_t n) {
    __m512 acc = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 w;
        if (type == LK_F32) w = _mm512_loadu_ps((const float *)p + i);
        else if (type == LK_F16) w = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(p + 2 * i)));
        else w = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(p + 2 * i))), 16));
        acc = _mm512_fmadd_ps(w, _mm512_loadu_ps(x + i), acc);
    }
    float sum = _mm512_reduce_add_ps(acc);
    if (i < n) {
        float tail[16];
        lk_dequantize_scalar(type, p + (size_t)i * lk_block_bytes(type), tail, n - i);
        for (int64_t j = 0; j < n - i; j++) sum += tail[j] * x[i + j];
    }
    return sum;
}

float lk_dot_avx512(int type, const void *row, const void *xv, int64_t n) {
    const uint8_t *p = (const uint8_t *)row;
    if (!lk_uses_q8(type)) return dot_float_types(type, p, (const float *)xv, n);
    const lk_block_q8 *y = (const lk_block_q8 *)xv;
    __m256 acc = _mm256_setzero_ps();
    float corr = 0;  // subtracted at the end: offsets times activation sums
    switch (type) {
    case LK_Q4_0:
        for (int64_t i = 0; i < n / 32; i++) {
            const blk_q4_0 *x = (const blk_q4_0 *)p + i;
            float d = h2f(x->d);
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_u8s8(unpack_nibbles(x->qs), y[i].qs)), _mm256_set1_ps(d * y[i].d), acc);
            corr += 8 * d * y[i].s;
        }
        break;
    case LK_Q4_1:
        for (int64_t i = 0; i < n / 32; i++) {
            const blk_q4_1 *x = (const blk_q4_1 *)p + i;
            float d = h2f(x->d);
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_u8s8(unpack_nibbles(x->qs), y[i].qs)), _mm256_set1_ps(d * y[i].d), acc);
            corr -= h2f(x->m) * y[i].s;
        }
        break;
    case LK_Q5_0:
        for (int64_t i = 0; i < n / 32; i++) {
            const blk_q5_0 *x = (const blk_q5_0 *)p + i;
            float d = h2f(x->d);
            __m256i u = _mm256_or_si256(unpack_nibbles(x->qs), high_bits(x->qh));
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_u8s8(u, y[i].qs)), _mm256_set1_ps(d * y[i].d), acc);
            corr += 16 * d * y[i].s;
        }
        break;
    case LK_Q5_1:
        for (int64_t i = 0; i < n / 32; i++) {
            const blk_q5_1 *x = (const blk_q5_1 *)p + i;
            float d = h2f(x->d);
            __m256i u = _mm256_or_si256(unpack_nibbles(x->qs), high_bits(x->qh));
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_u8s8(u, y[i].qs)), _mm256_set1_ps(d * y[i].d), acc);
            corr -= h2f(x->m) * y[i].s;
        }
        break;
    case LK_Q8_0:
        for (int64_t i = 0; i < n / 32; i++) {
            const blk_q8_0 *x = (const blk_q8_0 *)p + i;
            __m256i w = load32(x->qs), q = load32(y[i].qs);
            __m256i prod = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(w, w), _mm256_sign_epi8(q, w));
            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(prod), _mm256_set1_ps(h2f(x->d) * y[i].d), acc);
        }
        break;
    case LK_Q4_K: case LK_Q5_K:
        for (int64_t i = 0; i < n / 256; i++) {
            lk_k_block kb = lk_k_block_at(type, p, i);
            const uint8_t *scales = kb.scales, *qs = kb.qs, *qh = kb.qh;
            float d = h2f(kb.d), dmin = h2f(kb.dmin);
            const lk_block_q8 *yb = y + 8 * i;
            for (int c = 0; c < 4; c++) {
                __m256i lo, hi;
                uint8_t sc0, m0, sc1, m1;
                unpack_k_chunk(qs, qh, c, &lo, &hi);
                lk_scale_min_k4(2 * c, scales, &sc0, &m0);
                lk_scale_min_k4(2 * c + 1, scales, &sc1, &m1);
                acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_u8s8(lo, yb[2 * c].qs)), _mm256_set1_ps(d * sc0 * yb[2 * c].d), acc);
                acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot_u8s8(hi, yb[2 * c + 1].qs)), _mm256_set1_ps(d * sc1 * yb[2 * c + 1].d), acc);
                corr += dmin * (m0 * yb[2 * c].s + m1 * yb[2 * c + 1].s);
            }
        }
        break;
    case LK_Q6_K: {
        const __m256i c32 = _mm256_set1_epi8(32);
        for (int64_t i = 0; i < n / 256; i++) {
            const blk_q6_k *x = (const blk_q6_k *)p + i;
            float d = h2f(x->d);
            for (int h = 0; h < 2; h++) {
                __m256i u[4];
                unpack_q6_half(x->ql + 64 * h, x->qh + 32 * h, u);
                for (int k = 0; k < 4; k++) {
                    const lk_block_q8 *yb = y + 8 * i + 4 * h + k;
                    __m256i q = load32(yb->qs);
                    __m256i diff = _mm256_sub_epi32(_mm256_dpbusd_epi32(_mm256_setzero_si256(), u[k], q),
                                                    _mm256_dpbusd_epi32(_mm256_setzero_si256(), c32, q));
                    int s0 = x->scales[8 * h + 2 * k], s1 = x->scales[8 * h + 2 * k + 1];
                    __m256i sv = _mm256_setr_epi32(s0, s0, s0, s0, s1, s1, s1, s1);
                    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_mullo_epi32(diff, sv)), _mm256_set1_ps(d * yb->d), acc);
                }
            }
        }
        break;
    }
    }
    return hsum8(acc) - corr;
}

#pragma clang attribute pop
#else
int lk_avx512_supported(void) { return 0; }
void lk_quantize_q8_avx512(const float *x, void *dst, int64_t n) { lk_quantize_q8_scalar(x, dst, n); }
void lk_dequantize_avx512(int type, const void *src, float *dst, int64_t n) { lk_dequantize_scalar(type, src, dst, n); }
float lk_dot_avx512(int type, const void *row, const void *x, int64_t n) { return lk_dot_scalar(type, row, x, n); }
#endif
