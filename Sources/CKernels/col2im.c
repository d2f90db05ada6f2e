// The scatter half of a transposed convolution: y[c][oy][ox] = bias[c] + Σ cols[(c, ky, kx)][iy][ix] over the
// input pixels with oy = iy·s + ky − pt, ox = ix·s + kx − pl; then the pointwise program, row by row while the
// row is in cache. Output rows split over the pool.
#include "loupe_kernels.h"

typedef struct {
    const float *cols, *bias;
    int64_t co, h, w, oh, ow;
    int k, s, pt, pl, simd;
    const lk_pw_op *ops;
    int nops;
    float *y;
} col2im_job;

static void col2im_task(void *ctx, int ith, int nth) {
    col2im_job *j = (col2im_job *)ctx;
    // Work items are output rows of all channels, so that one channel still splits over the threads.
    int64_t total = j->co * j->oh, per = (total + nth - 1) / nth, r0 = per * ith, r1 = r0 + per < total ? r0 + per : total;
    const int64_t plane = j->h * j->w;
    // Kernel size equal to the stride without padding: every output pixel has exactly one source.
    int tiled = j->k == j->s && j->pt == 0 && j->pl == 0 && j->oh == j->h * j->s && j->ow == j->w * j->s;
    for (int64_t r = r0; r < r1; r++) {
        int64_t c = r / j->oh, oy = r % j->oh;
        float b = j->bias ? j->bias[c] : 0.0f;
        float *row = j->y + (c * j->oh + oy) * j->ow;
        if (tiled && j->k == 2) {
            int64_t ky = oy % 2, iy = oy / 2;
            const float *s0 = j->cols + ((c * 2 + ky) * 2) * plane + iy * j->w, *s1 = s0 + plane;
            for (int64_t ix = 0; ix < j->w; ix++) {
                row[2 * ix] = b + s0[ix];
                row[2 * ix + 1] = b + s1[ix];
            }
            if (j->nops > 0) lk_pointwise_span(j->ops, j->nops, c, row, j->ow, j->simd);
            continue;
        }
        for (int64_t ox = 0; ox < j->ow; ox++) row[ox] = b;
        for (int ky = 0; ky < j->k; ky++) {
            int64_t t = oy + j->pt - ky;
            if (t < 0 || t % j->s != 0) continue;
            int64_t iy = t / j->s;
            if (iy >= j->h) continue;
            for (int kx = 0; kx < j->k; kx++) {
                const float *src = j->cols + ((c * j->k + ky) * j->k + kx) * plane + iy * j->w;
                for (int64_t ix = 0; ix < j->w; ix++) {
                    int64_t ox = ix * j->s + kx - j->pl;
                    if (ox >= 0 && ox < j->ow) row[ox] += src[ix];
                }
            }
        }
        if (j->nops > 0) lk_pointwise_span(j->ops, j->nops, c, row, j->ow, j->simd);
    }
}

void lk_col2im(lk_pool *pool, const float *cols, int64_t co, int k, int64_t h, int64_t w, int s, int pt, int pl, int64_t oh, int64_t ow,
               const float *bias, const lk_pw_op *ops, int nops, float *y) {
    col2im_job job = {cols, bias, co, h, w, oh, ow, k, s, pt, pl, lk_simd_level(), ops, nops, y};
    if (co * oh * ow < 65536) col2im_task(&job, 0, 1);
    else lk_pool_run(pool, col2im_task, &job);
}
