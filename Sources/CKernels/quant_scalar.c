// Portable scalar kernels for the quantized block formats, and the dispatch between these and the
// AVX-512 ones. The scalar code follows the format definitions literally.
#include "loupe_kernels.h"
#include "quant_blocks.h"
#include <math.h>
#include <string.h>

float lk_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1F;
    uint32_t mant = h & 0x3FF;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else {  // subnormal: renormalise
            int e = -1;
            do { e++; mant <<= 1; } while ((mant & 0x400) == 0);
            bits = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3FF) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7F800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static float bf16_to_f32(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

int lk_block_elements(int type) {
    switch (type) {
    case LK_F32: case LK_F16: case LK_BF16: return 1;
    case LK_Q4_0: case LK_Q4_1: case LK_Q5_0: case LK_Q5_1: case LK_Q8_0: return 32;
    case LK_Q4_K: case LK_Q5_K: case LK_Q6_K: return 256;
    default: return 0;
    }
}

int lk_block_bytes(int type) {
    switch (type) {
    case LK_F32: return 4;
    case LK_F16: case LK_BF16: return 2;
    case LK_Q4_0: return 18;
    case LK_Q4_1: return 20;
    case LK_Q5_0: return 22;
    case LK_Q5_1: return 24;
    case LK_Q8_0: return 34;
    case LK_Q4_K: return 144;
    case LK_Q5_K: return 176;
    case LK_Q6_K: return 210;
    default: return 0;
    }
}

int lk_uses_q8(int type) { return type != LK_F32 && type != LK_F16 && type != LK_BF16; }

// Dequantizes one block of a quantized type into 32 or 256 floats.
static void dequant_block(int type, const uint8_t *b, float *y) {
    switch (type) {
    case LK_Q4_0: {
        const blk_q4_0 *x = (const blk_q4_0 *)b;
        float d = lk_f16_to_f32(x->d);
        for (int j = 0; j < 16; j++) {
            y[j] = ((x->qs[j] & 0xF) - 8) * d;
            y[j + 16] = ((x->qs[j] >> 4) - 8) * d;
        }
        break;
    }
    case LK_Q4_1: {
        const blk_q4_1 *x = (const blk_q4_1 *)b;
        float d = lk_f16_to_f32(x->d), m = lk_f16_to_f32(x->m);
        for (int j = 0; j < 16; j++) {
            y[j] = (x->qs[j] & 0xF) * d + m;
            y[j + 16] = (x->qs[j] >> 4) * d + m;
        }
        break;
    }
    case LK_Q5_0: case LK_Q5_1: {
        const uint8_t *qh_p, *qs;
        float d, m = 0;
        if (type == LK_Q5_0) {
            const blk_q5_0 *x = (const blk_q5_0 *)b;
            d = lk_f16_to_f32(x->d); qh_p = x->qh; qs = x->qs;
        } else {
            const blk_q5_1 *x = (const blk_q5_1 *)b;
            d = lk_f16_to_f32(x->d); m = lk_f16_to_f32(x->m); qh_p = x->qh; qs = x->qs;
        }
        uint32_t qh;
        memcpy(&qh, qh_p, 4);
        int offset = type == LK_Q5_0 ? 16 : 0;
        for (int j = 0; j < 16; j++) {
            int lo = (qs[j] & 0xF) | (((qh >> j) & 1) << 4);
            int hi = (qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);
            y[j] = (lo - offset) * d + m;
            y[j + 16] = (hi - offset) * d + m;
        }
        break;
    }
    case LK_Q8_0: {
        const blk_q8_0 *x = (const blk_q8_0 *)b;
        float d = lk_f16_to_f32(x->d);
        for (int j = 0; j < 32; j++) y[j] = x->qs[j] * d;
        break;
    }
    case LK_Q4_K: case LK_Q5_K: {
        lk_k_block kb = lk_k_block_at(type, b, 0);
        const uint8_t *scales = kb.scales, *qs = kb.qs, *qh = kb.qh;
        float d = lk_f16_to_f32(kb.d), dmin = lk_f16_to_f32(kb.dmin);
        for (int c = 0; c < 4; c++) {  // 4 chunks of 64: low nibbles = sub-block 2c, high = 2c+1
            uint8_t sc0, m0, sc1, m1;
            lk_scale_min_k4(2 * c, scales, &sc0, &m0);
            lk_scale_min_k4(2 * c + 1, scales, &sc1, &m1);
            for (int l = 0; l < 32; l++) {
                int lo = qs[32 * c + l] & 0xF, hi = qs[32 * c + l] >> 4;
                if (qh) {
                    lo |= ((qh[l] >> (2 * c)) & 1) << 4;
                    hi |= ((qh[l] >> (2 * c + 1)) & 1) << 4;
                }
                y[64 * c + l] = d * sc0 * lo - dmin * m0;
                y[64 * c + 32 + l] = d * sc1 * hi - dmin * m1;
            }
        }
        break;
    }
    case LK_Q6_K: {
        const blk_q6_k *x = (const blk_q6_k *)b;
        float d = lk_f16_to_f32(x->d);
        for (int h = 0; h < 2; h++) {  // two halves of 128
            const uint8_t *ql = x->ql + 64 * h, *qh = x->qh + 32 * h;
            const int8_t *sc = x->scales + 8 * h;
            float *yy = y + 128 * h;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                yy[l] = d * sc[is + 0] * q1;
                yy[l + 32] = d * sc[is + 2] * q2;
                yy[l + 64] = d * sc[is + 4] * q3;
                yy[l + 96] = d * sc[is + 6] * q4;
            }
        }
        break;
    }
    }
}

void lk_dequantize_scalar(int type, const void *src, float *dst, int64_t n) {
    const uint8_t *b = (const uint8_t *)src;
    switch (type) {
    case LK_F32: memcpy(dst, src, (size_t)n * 4); return;
    case LK_F16: for (int64_t i = 0; i < n; i++) { uint16_t h; memcpy(&h, b + 2 * i, 2); dst[i] = lk_f16_to_f32(h); } return;
    case LK_BF16: for (int64_t i = 0; i < n; i++) { uint16_t h; memcpy(&h, b + 2 * i, 2); dst[i] = bf16_to_f32(h); } return;
    }
    int qk = lk_block_elements(type), bytes = lk_block_bytes(type);
    if (qk == 0) return;
    for (int64_t i = 0; i < n / qk; i++) dequant_block(type, b + i * bytes, dst + i * qk);
}

void lk_quantize_q8_scalar(const float *x, void *dst, int64_t n) {
    lk_block_q8 *y = (lk_block_q8 *)dst;
    for (int64_t i = 0; i < n / 32; i++) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[32 * i + j]));
        float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            int q = (int)nearbyintf(x[32 * i + j] * id);
            y[i].qs[j] = (int8_t)q;
            sum += q;
        }
        y[i].d = d;
        y[i].s = d * (float)sum;
    }
}

float lk_dot_scalar(int type, const void *row, const void *x, int64_t n) {
    float w[256];
    double sum = 0;
    if (!lk_uses_q8(type)) {
        const float *xf = (const float *)x;
        const uint8_t *b = (const uint8_t *)row;
        int width = lk_block_bytes(type);
        for (int64_t i = 0; i < n; i += 256) {
            int64_t m = n - i < 256 ? n - i : 256;
            lk_dequantize_scalar(type, b + i * width, w, m);
            for (int64_t j = 0; j < m; j++) sum += (double)w[j] * xf[i + j];
        }
        return (float)sum;
    }
    const lk_block_q8 *q = (const lk_block_q8 *)x;
    int qk = lk_block_elements(type), bytes = lk_block_bytes(type);
    const uint8_t *b = (const uint8_t *)row;
    for (int64_t i = 0; i < n / qk; i++) {
        dequant_block(type, b + i * bytes, w);
        for (int j = 0; j < qk; j += 32) {
            const lk_block_q8 *xb = &q[(i * qk + j) / 32];
            float s = 0;
            for (int l = 0; l < 32; l++) s += w[j + l] * xb->qs[l];
            sum += (double)s * xb->d;
        }
    }
    return (float)sum;
}

// ---- dispatch ----

// Per thread, so a test forcing the scalar path does not change what other threads run; pool tasks
// capture the caller's choice when they are dispatched.
static _Thread_local int simd_enabled = 1;

void lk_set_simd(int enabled) { simd_enabled = enabled; }

int lk_simd_level(void) { return simd_enabled && lk_avx512_supported() ? 1 : 0; }

void lk_dequantize(int type, const void *src, float *dst, int64_t n) {
    if (lk_simd_level()) lk_dequantize_avx512(type, src, dst, n);
    else lk_dequantize_scalar(type, src, dst, n);
}

void lk_quantize_q8(const float *x, lk_block_q8 *dst, int64_t n) {
    if (lk_simd_level()) lk_quantize_q8_avx512(x, dst, n);
    else lk_quantize_q8_scalar(x, dst, n);
}

float lk_dot(int type, const void *row, const void *x, int64_t n) {
    return lk_simd_level() ? lk_dot_avx512(type, row, x, n) : lk_dot_scalar(type, row, x, n);
}
