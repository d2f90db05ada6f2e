// Row softmax with a causal limit and SwiGLU, split across the pool's threads, with an AVX-512 exp
// (range reduction to 2^n·e^g, |g| ≤ ln2/2, degree-6 polynomial; relative error about 1e-7).
#include "loupe_kernels.h"
#include "quant_blocks.h"
#include <math.h>
#include <string.h>

void lk_exp_shift_avx512(float *x, int64_t n, float shift, float *sum);
void lk_swiglu_avx512(float *gate, const float *up, int64_t n);

static void exp_shift_scalar(float *x, int64_t n, float shift, float *sum) {
    float s = 0;
    for (int64_t i = 0; i < n; i++) { x[i] = expf(x[i] - shift); s += x[i]; }
    *sum = s;
}

static void swiglu_scalar(float *gate, const float *up, int64_t n) {
    for (int64_t i = 0; i < n; i++) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

typedef struct {
    float *s;
    int64_t rows, cols, ld, past, group;
    int simd;
} softmax_job;

static void softmax_task(void *ctx, int ith, int nth) {
    softmax_job *j = (softmax_job *)ctx;
    int simd = j->simd;
    for (int64_t r = ith; r < j->rows; r += nth) {
        float *row = j->s + r * j->ld;
        int64_t visible = j->past + r / j->group + 1;
        if (visible > j->cols) visible = j->cols;
        float mx = -INFINITY;
        for (int64_t i = 0; i < visible; i++) if (row[i] > mx) mx = row[i];
        float sum;
        if (simd) lk_exp_shift_avx512(row, visible, mx, &sum);
        else exp_shift_scalar(row, visible, mx, &sum);
        float inv = 1.0f / sum;
        for (int64_t i = 0; i < visible; i++) row[i] *= inv;
        if (visible < j->cols) memset(row + visible, 0, (size_t)(j->cols - visible) * sizeof(float));
    }
}

void lk_causal_softmax(lk_pool *pool, float *s, int64_t rows, int64_t cols, int64_t ld, int64_t past, int64_t group) {
    softmax_job job = {s, rows, cols, ld, past, group < 1 ? 1 : group, lk_simd_level()};
    lk_pool_run(pool, softmax_task, &job);
}

typedef struct {
    float *gate;
    const float *up;
    int64_t n;
    int simd;
} swiglu_job;

static void swiglu_task(void *ctx, int ith, int nth) {
    swiglu_job *j = (swiglu_job *)ctx;
    int64_t per = (j->n / nth + 15) / 16 * 16;
    int64_t a = per * ith, b = a + per < j->n ? a + per : j->n;
    if (a >= b) return;
    if (j->simd) lk_swiglu_avx512(j->gate + a, j->up + a, b - a);
    else swiglu_scalar(j->gate + a, j->up + a, b - a);
}

void lk_swiglu(lk_pool *pool, float *gate, const float *up, int64_t n) {
    swiglu_job job = {gate, up, n, lk_simd_level()};
    lk_pool_run(pool, swiglu_task, &job);
}

void lk_softmax_rows(lk_pool *pool, float *s, int64_t rows, int64_t cols) {
    softmax_job job = {s, rows, cols, cols, cols, 1, lk_simd_level()};
    if (rows * cols < 16384 || rows == 1) softmax_task(&job, 0, 1);
    else lk_pool_run(pool, softmax_task, &job);
}

// ---- plane means and nearest-neighbour gathers (global average pooling, resize) ----

typedef struct {
    const float *x;
    float *out;
    int64_t planes, inner;
} means_job;

static void means_task(void *ctx, int ith, int nth) {
    means_job *j = (means_job *)ctx;
    for (int64_t p = ith; p < j->planes; p += nth) {
        const float *v = j->x + p * j->inner;
        float acc[16] = {0};
        int64_t i = 0;
        for (; i + 16 <= j->inner; i += 16)
            for (int l = 0; l < 16; l++) acc[l] += v[i + l];
        double total = 0;
        for (int l = 0; l < 16; l++) total += acc[l];
        for (; i < j->inner; i++) total += v[i];
        j->out[p] = (float)(total / (double)j->inner);
    }
}

void lk_plane_means(lk_pool *pool, const float *x, int64_t planes, int64_t inner, float *out) {
    means_job job = {x, out, planes, inner};
    if (planes * inner < 65536 || planes == 1) means_task(&job, 0, 1);
    else lk_pool_run(pool, means_task, &job);
}

typedef struct {
    const float *x;
    const int64_t *ys, *xs;
    float *y;
    int64_t planes, h, w, oh, ow;
} gather_job;

static void gather_task(void *ctx, int ith, int nth) {
    gather_job *j = (gather_job *)ctx;
    for (int64_t p = ith; p < j->planes; p += nth) {
        const float *in = j->x + p * j->h * j->w;
        float *out = j->y + p * j->oh * j->ow;
        for (int64_t oy = 0; oy < j->oh; oy++) {
            float *row = out + oy * j->ow;
            if (oy > 0 && j->ys[oy] == j->ys[oy - 1]) {
                memcpy(row, row - j->ow, (size_t)j->ow * sizeof(float));
                continue;
            }
            const float *src = in + j->ys[oy] * j->w;
            for (int64_t ox = 0; ox < j->ow; ox++) row[ox] = src[j->xs[ox]];
        }
    }
}

void lk_gather_nearest(lk_pool *pool, const float *x, int64_t planes, int64_t h, int64_t w, const int64_t *ys, int64_t oh,
                       const int64_t *xs, int64_t ow, float *y) {
    gather_job job = {x, ys, xs, y, planes, h, w, oh, ow};
    if (planes * oh * ow < 65536 || planes == 1) gather_task(&job, 0, 1);
    else lk_pool_run(pool, gather_task, &job);
}
