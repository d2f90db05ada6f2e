// The scatter half of a transposed convolution: y[c][oy][ox] = bias[c] + Σ cols[(c, ky, kx)][iy][ix] over the
// input pixels with oy = iy·s + ky − pt, ox = ix·s + kx − pl; then the pointwise program, row by row while the
// row is in cache. Channels split over the pool.
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
    int64_t per = (j->co + nth - 1) / nth, c0 = per * ith, c1 = c0 + per < j->co ? c0 + per : j->co;
    const int64_t plane = j->h * j->w;
    for (int64_t c = c0; c < c1; c++) {
        float b = j->bias ? j->bias[c] : 0.0f;
        for (int64_t oy = 0; oy < j->oh; oy++) {
            float *row = j->y + (c * j->oh + oy) * j->ow;
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
}

void lk_col2im(lk_pool *pool, const float *cols, int64_t co, int k, int64_t h, int64_t w, int s, int pt, int pl, int64_t oh, int64_t ow,
               const float *bias, const lk_pw_op *ops, int nops, float *y) {
    col2im_job job = {cols, bias, co, h, w, oh, ow, k, s, pt, pl, lk_simd_level(), ops, nops, y};
    if (co * oh * ow < 65536) col2im_task(&job, 0, 1);
    else lk_pool_run(pool, col2im_task, &job);
}
