// Pointwise programs (chains of per-channel affine maps and activations) applied in place; the AVX-512
// build of the same loops (pointwise_avx512.c) is used when the CPU has it.
#include "loupe_kernels.h"
#include <math.h>

#define PW_FUNCTION lk_pointwise_span_generic
#include "pointwise_impl.h"
#undef PW_FUNCTION

void lk_pointwise_span_avx512(const lk_pw_op *ops, int count, int64_t channel, float *v, int64_t n);

void lk_pointwise_span(const lk_pw_op *ops, int count, int64_t channel, float *v, int64_t n, int simd) {
    if (count <= 0 || n <= 0) return;
    if (simd) lk_pointwise_span_avx512(ops, count, channel, v, n);
    else lk_pointwise_span_generic(ops, count, channel, v, n);
}

typedef struct {
    const lk_pw_op *ops;
    int count, simd;
    int64_t planes, channels, inner;
    float *v;
} pw_job;

static void pw_task(void *ctx, int ith, int nth) {
    pw_job *j = (pw_job *)ctx;
    // Split planes (one channel of one image each) or, for few planes, the values of each plane.
    if (j->planes >= 4 * nth || j->inner < 4096) {
        int64_t per = (j->planes + nth - 1) / nth, p0 = per * ith, p1 = p0 + per < j->planes ? p0 + per : j->planes;
        for (int64_t p = p0; p < p1; p++) lk_pointwise_span(j->ops, j->count, p % j->channels, j->v + p * j->inner, j->inner, j->simd);
    } else {
        int64_t per = (j->inner + nth - 1) / nth, i0 = per * ith, i1 = i0 + per < j->inner ? i0 + per : j->inner;
        if (i0 >= i1) return;
        for (int64_t p = 0; p < j->planes; p++) lk_pointwise_span(j->ops, j->count, p % j->channels, j->v + p * j->inner + i0, i1 - i0, j->simd);
    }
}

void lk_pointwise(lk_pool *pool, const lk_pw_op *ops, int count, int64_t batch, int64_t channels, int64_t inner, float *v) {
    if (count <= 0 || batch * channels * inner == 0) return;
    pw_job job = {ops, count, lk_simd_level(), batch * channels, channels, inner, v};
    if (batch * channels * inner < 16384) pw_task(&job, 0, 1);
    else lk_pool_run(pool, pw_task, &job);
}
