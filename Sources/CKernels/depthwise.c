// Depthwise convolution split over the pool's threads by channel; the AVX-512 build of the same loops
// (depthwise_avx512.c) is used when the CPU has it.
#include "loupe_kernels.h"
#include "quant_blocks.h"
#include <stdatomic.h>
#include <stdlib.h>

#define DW_FUNCTION lk_depthwise_channels_generic
#include "depthwise_impl.h"
#undef DW_FUNCTION

void lk_depthwise_channels_avx512(const float *x, int64_t c0, int64_t c1, int64_t h, int64_t w, const float *weight,
                                  const float *bias, int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow,
                                  const lk_pw_op *ops, int nops, int simd, float *scratch, float *y);

typedef struct {
    const float *x, *weight, *bias;
    int64_t c, h, w, oh, ow;
    int kh, kw, sy, sx, pt, pl, simd;
    const lk_pw_op *ops;
    int nops;
    float *y;
    _Atomic int failed;
} dw_job;

static void dw_task(void *ctx, int ith, int nth) {
    dw_job *j = (dw_job *)ctx;
    int64_t per = (j->c + nth - 1) / nth, c0 = per * ith, c1 = c0 + per < j->c ? c0 + per : j->c;
    if (c0 >= c1) return;
    int64_t padded = (j->ow - 1) * j->sx + j->kw;
    if (padded < j->pl + j->w) padded = j->pl + j->w;
    int64_t need = (2 * (int64_t)j->kh + 1) * (padded + 32) + 64;
    float stack[8192];
    float *scratch = need <= 8192 ? stack : malloc((size_t)need * sizeof(float));
    if (!scratch) {
        atomic_store(&j->failed, 1);
        return;
    }
    if (j->simd) lk_depthwise_channels_avx512(j->x, c0, c1, j->h, j->w, j->weight, j->bias, j->kh, j->kw, j->sy, j->sx, j->pt, j->pl, j->oh, j->ow, j->ops, j->nops, 1, scratch, j->y);
    else lk_depthwise_channels_generic(j->x, c0, c1, j->h, j->w, j->weight, j->bias, j->kh, j->kw, j->sy, j->sx, j->pt, j->pl, j->oh, j->ow, j->ops, j->nops, 0, scratch, j->y);
    if (scratch != stack) free(scratch);
}

int lk_depthwise_conv(lk_pool *pool, const float *x, int64_t c, int64_t h, int64_t w, const float *weight, const float *bias,
                      int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow, float *y) {
    return lk_depthwise_conv_fused(pool, x, c, h, w, weight, bias, kh, kw, sy, sx, pt, pl, oh, ow, NULL, 0, y);
}

int lk_depthwise_conv_fused(lk_pool *pool, const float *x, int64_t c, int64_t h, int64_t w, const float *weight, const float *bias,
                            int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow, const lk_pw_op *ops, int nops,
                            float *y) {
    dw_job job = {x, weight, bias, c, h, w, oh, ow, kh, kw, sy, sx, pt, pl, lk_simd_level(), ops, nops, y, 0};
    if (c * oh * ow * kh * kw < 100000) dw_task(&job, 0, 1);
    else lk_pool_run(pool, dw_task, &job);
    return atomic_load(&job.failed) ? -2 : 0;
}
