// Block layouts of the ggml quantized types (internal to CKernels).
#ifndef LOUPE_QUANT_BLOCKS_H
#define LOUPE_QUANT_BLOCKS_H
#include <stdint.h>
#include "loupe_kernels.h"

typedef struct { uint16_t d; uint8_t qs[16]; } blk_q4_0;                          // 18 bytes
typedef struct { uint16_t d, m; uint8_t qs[16]; } blk_q4_1;                       // 20
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; } blk_q5_0;           // 22
typedef struct { uint16_t d, m; uint8_t qh[4]; uint8_t qs[16]; } blk_q5_1;        // 24
typedef struct { uint16_t d; int8_t qs[32]; } blk_q8_0;                           // 34
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qs[128]; } blk_q4_k;              // 144
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } blk_q5_k; // 176
typedef struct { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } blk_q6_k;      // 210

_Static_assert(sizeof(blk_q4_0) == 18, "q4_0");
_Static_assert(sizeof(blk_q4_1) == 20, "q4_1");
_Static_assert(sizeof(blk_q5_0) == 22, "q5_0");
_Static_assert(sizeof(blk_q5_1) == 24, "q5_1");
_Static_assert(sizeof(blk_q8_0) == 34, "q8_0");
_Static_assert(sizeof(blk_q4_k) == 144, "q4_k");
_Static_assert(sizeof(blk_q5_k) == 176, "q5_k");
_Static_assert(sizeof(blk_q6_k) == 210, "q6_k");

float lk_f16_to_f32(uint16_t h);

// 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block.
static inline void lk_scale_min_k4(int j, const uint8_t *q, uint8_t *sc, uint8_t *m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (uint8_t)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// The fields of super-block i of a Q4_K or Q5_K row (qh is NULL for Q4_K); d and dmin stay raw half floats
// so each kernel converts them its own way.
typedef struct { uint16_t d, dmin; const uint8_t *scales, *qs, *qh; } lk_k_block;

static inline lk_k_block lk_k_block_at(int type, const uint8_t *row, int64_t i) {
    lk_k_block k;
    if (type == LK_Q4_K) {
        const blk_q4_k *x = (const blk_q4_k *)row + i;
        k.d = x->d; k.dmin = x->dmin; k.scales = x->scales; k.qs = x->qs; k.qh = NULL;
    } else {
        const blk_q5_k *x = (const blk_q5_k *)row + i;
        k.d = x->d; k.dmin = x->dmin; k.scales = x->scales; k.qs = x->qs; k.qh = x->qh;
    }
    return k;
}

// Scalar kernels (quant_scalar.c); the AVX-512 ones (quant_avx512.c) have the same signatures.
void lk_dequantize_scalar(int type, const void *src, float *dst, int64_t n);
void lk_quantize_q8_scalar(const float *x, void *dst, int64_t n);
float lk_dot_scalar(int type, const void *row, const void *x, int64_t n);
void lk_dequantize_avx512(int type, const void *src, float *dst, int64_t n);
void lk_quantize_q8_avx512(const float *x, void *dst, int64_t n);
float lk_dot_avx512(int type, const void *row, const void *x, int64_t n);
int lk_avx512_supported(void);
#endif
