// General 2-D convolution on one image, channel-major: for each block of LK_CONV_NB output pixels the
// im2col panel [K = ci·kh·kw][NB] is built in a per-thread, cache-resident buffer and multiplied by the
// packed weights (panels of 8 output channels, [K][8]) with an 8×32 register-blocked micro-kernel; bias
// starts the accumulators and the pointwise program runs on each finished block while it is in cache.
// Blocks are handed out to the pool's threads dynamically. The AVX-512 micro-kernel is in
// conv_gemm_avx512.c; the generic one below is the reference for other CPUs.
#include "loupe_kernels.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

size_t lk_conv_packed_floats(int64_t co, int64_t k) {
    return (size_t)((co + LK_CONV_MR - 1) / LK_CONV_MR) * LK_CONV_MR * (size_t)k;
}

void lk_conv_pack_weights(const float *w, int64_t co, int64_t k, float *packed) {
    int64_t panels = (co + LK_CONV_MR - 1) / LK_CONV_MR;
    for (int64_t p = 0; p < panels; p++) {
        float *dst = packed + p * LK_CONV_MR * k;
        for (int64_t kk = 0; kk < k; kk++) {
            for (int r = 0; r < LK_CONV_MR; r++) {
                int64_t row = p * LK_CONV_MR + r;
                dst[kk * LK_CONV_MR + r] = row < co ? w[row * k + kk] : 0.0f;
            }
        }
    }
}

void lk_conv_kernel_avx512(int64_t k, const float *wp, const float *p, int64_t ldp, float *c, int64_t ldc, int rows, int cols,
                           const float *bias);

// c[r][0..cols) = bias[r] + Σ_k wp[k][r] · p[k][0..cols) for r < rows.
static void conv_kernel_generic(int64_t k, const float *wp, const float *p, int64_t ldp, float *c, int64_t ldc, int rows, int cols,
                                const float *bias) {
    float acc[LK_CONV_MR][LK_CONV_NR];
    for (int r = 0; r < LK_CONV_MR; r++)
        for (int t = 0; t < LK_CONV_NR; t++) acc[r][t] = bias && r < rows ? bias[r] : 0.0f;
    for (int64_t kk = 0; kk < k; kk++) {
        const float *a = wp + kk * LK_CONV_MR, *b = p + kk * ldp;
        for (int r = 0; r < LK_CONV_MR; r++)
            for (int t = 0; t < cols; t++) acc[r][t] += a[r] * b[t];
    }
    for (int r = 0; r < rows; r++) memcpy(c + r * ldc, acc[r], (size_t)cols * sizeof(float));
}

// One block of output columns: C [m, nb] (row stride ldc) = packed weights [m/8][k][8] · P [k, nb] (row
// stride ldp) + bias, tile by tile; then, if a program is given, the program on each finished row
// (channel ch_base + row).
static void multiply_block(int64_t m, int64_t k, const float *wp, const float *bias, const float *p, int64_t ldp, float *c,
                           int64_t ldc, int64_t nb, const lk_pw_op *ops, int nops, int64_t ch_base, int simd) {
    for (int64_t m0 = 0; m0 < m; m0 += LK_CONV_MR) {
        int rows = m - m0 < LK_CONV_MR ? (int)(m - m0) : LK_CONV_MR;
        const float *w = wp + m0 * k, *b = bias ? bias + m0 : NULL;
        for (int64_t c0 = 0; c0 < nb; c0 += LK_CONV_NR) {
            int cols = nb - c0 < LK_CONV_NR ? (int)(nb - c0) : LK_CONV_NR;
            float *out = c + m0 * ldc + c0;
#if defined(__x86_64__) && defined(__clang__)
            if (simd) lk_conv_kernel_avx512(k, w, p + c0, ldp, out, ldc, rows, cols, b);
            else
#endif
            conv_kernel_generic(k, w, p + c0, ldp, out, ldc, rows, cols, b);
        }
        for (int r = 0; r < rows && nops > 0; r++) lk_pointwise_span(ops, nops, ch_base + m0 + r, c + (m0 + r) * ldc, nb, simd);
    }
}

typedef struct {
    const float *x, *wp, *bias;
    int64_t ci, h, w, co, k, oh, ow, n, blocks, ch_base, batch, x_stride, y_stride, bs;
    int kh, kw, sy, sx, pt, pl, simd, direct;
    const lk_pw_op *ops;
    int nops;
    float *y;
    _Atomic int64_t next;
    _Atomic int failed;
} conv_job;

// The im2col panel of output pixels [n0, n0 + nb): row (c, ky, kx), column j = pixel n0 + j; ld = LK_CONV_NB.
static void im2col_block(const conv_job *j, const float *x, int64_t n0, int64_t nb, float *panel) {
    if (j->direct) {
        for (int64_t c = 0; c < j->ci; c++) memcpy(panel + c * LK_CONV_NB, x + c * j->n + n0, (size_t)nb * sizeof(float));
        return;
    }
    for (int64_t n = n0; n < n0 + nb;) {
        int64_t oy = n / j->ow, ox0 = n % j->ow;
        int64_t len = j->ow - ox0 < n0 + nb - n ? j->ow - ox0 : n0 + nb - n;
        int64_t col = n - n0;
        for (int64_t c = 0; c < j->ci; c++) {
            for (int ky = 0; ky < j->kh; ky++) {
                int64_t iy = oy * j->sy + ky - j->pt;
                const float *src = x + (c * j->h + iy) * j->w;
                for (int kx = 0; kx < j->kw; kx++) {
                    float *dst = panel + ((c * j->kh + ky) * j->kw + kx) * LK_CONV_NB + col;
                    if (iy < 0 || iy >= j->h) {
                        memset(dst, 0, (size_t)len * sizeof(float));
                        continue;
                    }
                    // Input column of output column t: ix0 + t·sx; the valid t are [t0, t1).
                    int64_t ix0 = ox0 * j->sx + kx - j->pl;
                    int64_t t0 = ix0 >= 0 ? 0 : (-ix0 + j->sx - 1) / j->sx;
                    int64_t t1 = j->w - 1 - ix0 >= 0 ? (j->w - 1 - ix0) / j->sx + 1 : 0;
                    if (t0 > len) t0 = len;
                    if (t1 > len) t1 = len;
                    if (t1 < t0) t1 = t0;
                    for (int64_t t = 0; t < t0; t++) dst[t] = 0.0f;
                    if (j->sx == 1) {
                        memcpy(dst + t0, src + ix0 + t0, (size_t)(t1 - t0) * sizeof(float));
                    } else {
                        for (int64_t t = t0; t < t1; t++) dst[t] = src[ix0 + t * j->sx];
                    }
                    for (int64_t t = t1; t < len; t++) dst[t] = 0.0f;
                }
            }
        }
        n += len;
    }
}

// A per-thread panel buffer, kept between calls (grown when a larger one is needed).
static _Thread_local float *panel_buffer;
static _Thread_local size_t panel_capacity;

static float *thread_panel(size_t floats) {
    if (floats > panel_capacity) {
        free(panel_buffer);
        panel_buffer = aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64);
        panel_capacity = panel_buffer ? floats : 0;
    }
    return panel_buffer;
}

static void conv_task(void *ctx, int ith, int nth) {
    (void)ith; (void)nth;
    conv_job *j = (conv_job *)ctx;
    float *panel = thread_panel((size_t)j->k * LK_CONV_NB);
    if (!panel) {
        atomic_store(&j->failed, 1);
        return;
    }
    for (;;) {
        int64_t item = atomic_fetch_add(&j->next, 1);
        if (item >= j->blocks * j->batch) break;
        int64_t image = item / j->blocks, b = item % j->blocks;
        int64_t n0 = b * j->bs, nb = j->n - n0 < j->bs ? j->n - n0 : j->bs;
        float *y = j->y + image * j->y_stride;
        im2col_block(j, j->x + image * j->x_stride, n0, nb, panel);
        multiply_block(j->co, j->k, j->wp, j->bias, panel, LK_CONV_NB, y + n0, j->n, nb, j->ops, j->nops, j->ch_base, j->simd);
    }
}

int lk_conv2d(lk_pool *pool, const float *x, int64_t ci, int64_t h, int64_t w, const float *packed, const float *bias, int64_t co,
              int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow, const lk_pw_op *ops, int nops,
              int64_t ch_base, float *y) {
    return lk_conv2d_batch(pool, x, 1, 0, ci, h, w, packed, bias, co, kh, kw, sy, sx, pt, pl, oh, ow, ops, nops, ch_base, y, 0);
}

int lk_conv2d_batch(lk_pool *pool, const float *x, int64_t batch, int64_t x_stride, int64_t ci, int64_t h, int64_t w, const float *packed,
                    const float *bias, int64_t co, int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow,
                    const lk_pw_op *ops, int nops, int64_t ch_base, float *y, int64_t y_stride) {
    if (batch <= 0 || ci <= 0 || co <= 0 || oh <= 0 || ow <= 0 || kh <= 0 || kw <= 0 || sy <= 0 || sx <= 0) return -1;
    conv_job job;
    memset(&job, 0, sizeof job);
    job.x = x; job.wp = packed; job.bias = bias;
    job.ci = ci; job.h = h; job.w = w; job.co = co; job.k = ci * kh * kw; job.oh = oh; job.ow = ow; job.n = oh * ow;
    // Blocks of LK_CONV_NB pixels, or smaller ones (down to one micro-kernel width) when there would be too
    // few to keep every thread busy.
    int threads = lk_pool_threads(pool);
    job.bs = LK_CONV_NB;
    while (job.bs > LK_CONV_NR && batch * ((job.n + job.bs - 1) / job.bs) < 4 * threads) job.bs /= 2;
    job.blocks = (job.n + job.bs - 1) / job.bs; job.ch_base = ch_base;
    job.batch = batch; job.x_stride = x_stride; job.y_stride = y_stride;
    job.kh = kh; job.kw = kw; job.sy = sy; job.sx = sx; job.pt = pt; job.pl = pl;
    job.simd = lk_simd_level();
    job.direct = kh == 1 && kw == 1 && sy == 1 && sx == 1 && pt == 0 && pl == 0 && oh == h && ow == w;
    job.ops = ops; job.nops = nops; job.y = y;
    atomic_store(&job.next, 0);
    atomic_store(&job.failed, 0);
    // Small problems run on the calling thread: waking the pool would cost more than the work.
    if (job.blocks * batch == 1 || (double)batch * (double)job.n * (double)job.k * (double)co < 2e5) conv_task(&job, 0, 1);
    else lk_pool_run(pool, conv_task, &job);
    return atomic_load(&job.failed) ? -2 : 0;
}

// ---- general matrix product on the same micro-kernel: C [m, n] = A [m, k] · B [k, n], row-major ----

typedef struct {
    const float *ap, *b;
    float *c;
    int64_t m, k, n, blocks;
    int simd;
    _Atomic int64_t next;
} mm_job;

static void mm_task(void *ctx, int ith, int nth) {
    (void)ith; (void)nth;
    mm_job *j = (mm_job *)ctx;
    for (;;) {
        int64_t blk = atomic_fetch_add(&j->next, 1);
        if (blk >= j->blocks) break;
        int64_t n0 = blk * LK_CONV_NB, nb = j->n - n0 < LK_CONV_NB ? j->n - n0 : LK_CONV_NB;
        multiply_block(j->m, j->k, j->ap, NULL, j->b + n0, j->n, j->c + n0, j->n, nb, NULL, 0, 0, j->simd);
    }
}

int lk_matmul(lk_pool *pool, const float *a, const float *b, float *c, int64_t m, int64_t k, int64_t n) {
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) {
        memset(c, 0, (size_t)(m * n) * sizeof(float));
        return 0;
    }
    float *ap = malloc(lk_conv_packed_floats(m, k) * sizeof(float));
    if (!ap) return -2;
    lk_conv_pack_weights(a, m, k, ap);
    mm_job job;
    memset(&job, 0, sizeof job);
    job.ap = ap; job.b = b; job.c = c; job.m = m; job.k = k; job.n = n;
    job.blocks = (n + LK_CONV_NB - 1) / LK_CONV_NB;
    job.simd = lk_simd_level();
    atomic_store(&job.next, 0);
    if (job.blocks == 1 || (double)m * (double)k * (double)n < 2e5) mm_task(&job, 0, 1);
    else lk_pool_run(pool, mm_task, &job);
    free(ap);
    return 0;
}
