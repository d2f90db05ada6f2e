// Single-token grouped-query attention over a float32 KV cache, heads split across the pool's threads.
#include "loupe_kernels.h"
#include "quant_blocks.h"
#include <math.h>

void lk_attention_head_avx512(const float *q, const float *k, const float *v, int64_t t, int64_t stride, int hd,
                              float scale, float *out, float *scores);

static void attention_head_scalar(const float *q, const float *k, const float *v, int64_t t, int64_t stride, int hd,
                                  float scale, float *out, float *scores) {
    float mx = -INFINITY;
    for (int64_t p = 0; p < t; p++) {
        float s = 0;
        for (int i = 0; i < hd; i++) s += q[i] * k[p * stride + i];
        scores[p] = s * scale;
        if (scores[p] > mx) mx = scores[p];
    }
    float sum = 0;
    for (int64_t p = 0; p < t; p++) { scores[p] = expf(scores[p] - mx); sum += scores[p]; }
    float inv = 1.0f / sum;
    for (int i = 0; i < hd; i++) out[i] = 0;
    for (int64_t p = 0; p < t; p++) {
        float w = scores[p] * inv;
        for (int i = 0; i < hd; i++) out[i] += w * v[p * stride + i];
    }
}

typedef struct {
    const float *q, *k, *v;
    int64_t t;
    int n_head, n_kv, hd;
    float scale;
    float *out, *scratch;
    int simd;
} attention_job;

static void attention_task(void *ctx, int ith, int nth) {
    attention_job *j = (attention_job *)ctx;
    int group = j->n_head / j->n_kv;
    int64_t stride = (int64_t)j->n_kv * j->hd;
    float *scores = j->scratch + (size_t)ith * (size_t)j->t;
    int simd = j->simd && j->hd % 16 == 0;
    for (int h = ith; h < j->n_head; h += nth) {
        int kv = h / group;
        const float *q = j->q + (size_t)h * j->hd;
        const float *k = j->k + (size_t)kv * j->hd, *v = j->v + (size_t)kv * j->hd;
        float *out = j->out + (size_t)h * j->hd;
        if (simd) lk_attention_head_avx512(q, k, v, j->t, stride, j->hd, j->scale, out, scores);
        else attention_head_scalar(q, k, v, j->t, stride, j->hd, j->scale, out, scores);
    }
}

void lk_attention_decode(lk_pool *pool, const float *q, const float *k_cache, const float *v_cache,
                         int64_t t, int n_head, int n_kv, int hd, float scale, float *out, float *scratch) {
    attention_job job = {q, k_cache, v_cache, t, n_head, n_kv, hd, scale, out, scratch, lk_simd_level()};
    lk_pool_run(pool, attention_task, &job);
}
