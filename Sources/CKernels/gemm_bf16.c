// Prefill matrix products on AVX-512 BF16: Y[t][n] = Σ_k X[t][k]·W[n][k] for a quantized W.
// Each thread takes blocks of 32 weight rows, dequantizes them into a bf16 panel laid out for vdpbf16ps
// ([k/2][32 rows][2 values], 2·k·32 bytes, cache resident), and runs an 8-token × 32-row micro-kernel over
// X converted once to bf16. Twice the multiply-adds per instruction of float32 FMA, no float32 copy of W.
#include "loupe_kernels.h"
#include "quant_blocks.h"
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512dq,avx512bf16"))), apply_to = function)

enum { MR = 8, NR = 32 };

typedef struct {
    int type;
    const uint8_t *w;
    size_t row_bytes;
    int64_t rows, k, t_padded;
    const uint16_t *xb;   // [t_padded][k] bf16
    int64_t t;
    float *y;
    int64_t ldy;
    int failed;
} gemm_job;

static void to_bf16(const float *x, uint16_t *dst, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256bh v = _mm512_cvtneps_pbh(_mm512_loadu_ps(x + i));
        _mm256_storeu_si256((__m256i *)(dst + i), (__m256i)v);
    }
    for (; i < n; i++) {
        __m512 v = _mm512_set1_ps(x[i]);
        __m256bh b = _mm512_cvtneps_pbh(v);
        uint16_t tmp[16];
        _mm256_storeu_si256((__m256i *)tmp, (__m256i)b);
        dst[i] = tmp[0];
    }
}

// One 8×32 tile over the whole k: acc[i][j] for tokens t0+i, rows n0+16j…
static inline void micro_kernel(const uint16_t *xb, int64_t k, const uint32_t *panel, float *y, int64_t ldy,
                                int64_t rows_left, int64_t tokens_left) {
    __m512 acc[MR][2];
    for (int i = 0; i < MR; i++) { acc[i][0] = _mm512_setzero_ps(); acc[i][1] = _mm512_setzero_ps(); }
    const uint32_t *x32 = (const uint32_t *)xb;
    int64_t kp2 = k / 2;
    for (int64_t kp = 0; kp < kp2; kp++) {
        __m512bh w0 = (__m512bh)_mm512_loadu_si512(panel + kp * NR);
        __m512bh w1 = (__m512bh)_mm512_loadu_si512(panel + kp * NR + 16);
        for (int i = 0; i < MR; i++) {
            __m512bh xv = (__m512bh)_mm512_set1_epi32((int)x32[i * kp2 + kp]);
            acc[i][0] = _mm512_dpbf16_ps(acc[i][0], xv, w0);
            acc[i][1] = _mm512_dpbf16_ps(acc[i][1], xv, w1);
        }
    }
    __mmask16 m0 = rows_left >= 16 ? 0xFFFF : (__mmask16)((1u << rows_left) - 1);
    __mmask16 m1 = rows_left >= 32 ? 0xFFFF : (rows_left > 16 ? (__mmask16)((1u << (rows_left - 16)) - 1) : 0);
    for (int i = 0; i < MR && i < tokens_left; i++) {
        _mm512_mask_storeu_ps(y + i * ldy, m0, acc[i][0]);
        _mm512_mask_storeu_ps(y + i * ldy + 16, m1, acc[i][1]);
    }
}

// In place 16×16 transpose of 32-bit elements: r[i] holds row i on entry, column i on return.
static inline void transpose16(__m512i r[16]) {
    __m512i t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
    }
    // r[4i+j], 128-bit lane L: rows 4i…4i+3 of column 4L+j.
    for (int i = 0; i < 4; i++) {
        r[4 * i] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
        r[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
        r[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
        r[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
    }
    __m512i out[16];
    for (int j = 0; j < 4; j++) {
        __m512i x0 = _mm512_shuffle_i32x4(r[j], r[4 + j], 0x88), x1 = _mm512_shuffle_i32x4(r[j], r[4 + j], 0xDD);
        __m512i y0 = _mm512_shuffle_i32x4(r[8 + j], r[12 + j], 0x88), y1 = _mm512_shuffle_i32x4(r[8 + j], r[12 + j], 0xDD);
        out[j] = _mm512_shuffle_i32x4(x0, y0, 0x88);
        out[8 + j] = _mm512_shuffle_i32x4(x0, y0, 0xDD);
        out[4 + j] = _mm512_shuffle_i32x4(x1, y1, 0x88);
        out[12 + j] = _mm512_shuffle_i32x4(x1, y1, 0xDD);
    }
    for (int i = 0; i < 16; i++) r[i] = out[i];
}

// panel[kp][r] = rows[r][kp] for r < NR (rows: NR rows of kp2 bf16 pairs each): 16×16 register transposes,
// contiguous loads and stores (a strided store per element is what the compiler would make of the plain loop).
static void build_panel(const uint32_t *rows, int64_t kp2, uint32_t *panel) {
    int64_t kp0 = 0;
    for (; kp0 + 16 <= kp2; kp0 += 16) {
        for (int r0 = 0; r0 < NR; r0 += 16) {
            __m512i v[16];
            for (int i = 0; i < 16; i++) v[i] = _mm512_loadu_si512(rows + (size_t)(r0 + i) * kp2 + kp0);
            transpose16(v);
            for (int j = 0; j < 16; j++) _mm512_storeu_si512(panel + (kp0 + j) * NR + r0, v[j]);
        }
    }
    for (; kp0 < kp2; kp0++)
        for (int r = 0; r < NR; r++) panel[kp0 * NR + r] = rows[(size_t)r * kp2 + kp0];
}

static void gemm_task(void *ctx, int ith, int nth) {
    gemm_job *j = (gemm_job *)ctx;
    int64_t blocks = (j->rows + NR - 1) / NR;
    int64_t per = (blocks + nth - 1) / nth, b0 = per * ith, b1 = b0 + per < blocks ? b0 + per : blocks;
    if (b0 >= b1) return;
    int64_t kp2 = j->k / 2;
    size_t panel_bytes = ((size_t)kp2 * NR * sizeof(uint32_t) + 63) / 64 * 64;
    float *row = aligned_alloc(64, (size_t)((j->k + 15) / 16 * 16) * sizeof(float));
    uint32_t *rows = aligned_alloc(64, panel_bytes);   // [NR][kp2] bf16 pairs, row-major
    uint32_t *panel = aligned_alloc(64, panel_bytes);
    if (!row || !rows || !panel) {
        free(row); free(rows); free(panel);
        j->failed = 1;
        return;
    }
    for (int64_t b = b0; b < b1; b++) {
        int64_t n0 = b * NR, nrows = j->rows - n0 < NR ? j->rows - n0 : NR;
        for (int64_t r = 0; r < NR; r++) {
            uint32_t *pairs = rows + (size_t)r * kp2;
            if (r < nrows) {
                lk_dequantize(j->type, j->w + (size_t)(n0 + r) * j->row_bytes, row, j->k);
                to_bf16(row, (uint16_t *)pairs, j->k);
            } else {
                memset(pairs, 0, (size_t)kp2 * sizeof(uint32_t));
            }
        }
        build_panel(rows, kp2, panel);
        for (int64_t t0 = 0; t0 < j->t; t0 += MR)
            micro_kernel(j->xb + t0 * j->k, j->k, panel, j->y + t0 * j->ldy + n0, j->ldy, nrows, j->t - t0);
    }
    free(row); free(rows); free(panel);
}

int lk_gemm_bf16_supported(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = lk_avx512_supported() && __builtin_cpu_supports("avx512bf16");
    }
    return cached;
}

int lk_gemm_bf16(lk_pool *pool, int type, const void *w, size_t row_bytes, int64_t rows, int64_t k,
                 const float *x, int64_t t, float *y, int64_t ldy) {
    if (!lk_gemm_bf16_supported() || k % 2 != 0 || t <= 0) return -1;
    int64_t tp = (t + MR - 1) / MR * MR;
    uint16_t *xb = aligned_alloc(64, (size_t)(tp * k * 2 + 63) / 64 * 64);
    if (!xb) return -1;
    for (int64_t i = 0; i < t; i++) to_bf16(x + i * k, xb + i * k, k);
    memset(xb + t * k, 0, (size_t)((tp - t) * k) * sizeof(uint16_t));
    gemm_job job = {type, (const uint8_t *)w, row_bytes, rows, k, tp, xb, t, y, ldy, 0};
    lk_pool_run(pool, gemm_task, &job);
    free(xb);
    return job.failed ? -1 : 0;
}

#pragma clang attribute pop
#else
int lk_gemm_bf16_supported(void) { return 0; }
int lk_gemm_bf16(lk_pool *pool, int type, const void *w, size_t row_bytes, int64_t rows, int64_t k,
                 const float *x, int64_t t, float *y, int64_t ldy) {
    (void)pool; (void)type; (void)w; (void)row_bytes; (void)rows; (void)k; (void)x; (void)t; (void)y; (void)ldy;
    return -1;
}
#endif
