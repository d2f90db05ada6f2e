// Single-token grouped-query attention over a float32 KV cache, heads split across the pool's threads.
#include "loupe_kernels.h"
#include "quant_blocks.h"
#include <math.h>

void lk_attention_group_avx512(const float *q, int m, const float *k, const float *v, int64_t t, int64_t stride,
                               int hd, float scale, float *out, float *scores);

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
    int simd, chunks, per;   // per task: one KV head and up to `per` of its query heads (`chunks` tasks per KV head)
} attention_job;

// Tasks are (KV head, chunk of its query heads), dealt round-robin: each key and value row is read once per
// task for all the heads in it (AVX-512), instead of once per head.
static void attention_task(void *ctx, int ith, int nth) {
    attention_job *j = (attention_job *)ctx;
    int group = j->n_head / j->n_kv;
    int64_t stride = (int64_t)j->n_kv * j->hd;
    float *scores = j->scratch + (size_t)ith * (size_t)LK_ATTENTION_HEADS_PER_TASK * (size_t)j->t;
    int simd = j->simd && j->hd % 16 == 0 && j->hd <= 128;
    for (int task = ith; task < j->n_kv * j->chunks; task += nth) {
        int kv = task / j->chunks, h0 = kv * group + (task % j->chunks) * j->per;
        int m = kv * group + group - h0 < j->per ? kv * group + group - h0 : j->per;
        if (m <= 0) continue;
        const float *k = j->k + (size_t)kv * j->hd, *v = j->v + (size_t)kv * j->hd;
        if (simd) {
            lk_attention_group_avx512(j->q + (size_t)h0 * j->hd, m, k, v, j->t, stride, j->hd, j->scale,
                                      j->out + (size_t)h0 * j->hd, scores);
            continue;
        }
        for (int h = h0; h < h0 + m; h++)
            attention_head_scalar(j->q + (size_t)h * j->hd, k, v, j->t, stride, j->hd, j->scale, j->out + (size_t)h * j->hd, scores);
    }
}

void lk_attention_decode(lk_pool *pool, const float *q, const float *k_cache, const float *v_cache,
                         int64_t t, int n_head, int n_kv, int hd, float scale, float *out, float *scratch) {
    int group = n_head / n_kv;
    int chunks = (group + LK_ATTENTION_HEADS_PER_TASK - 1) / LK_ATTENTION_HEADS_PER_TASK;
    int per = (group + chunks - 1) / chunks;   // balanced: 7 heads → 4 + 3
    attention_job job = {q, k_cache, v_cache, t, n_head, n_kv, hd, scale, out, scratch, lk_simd_level(), chunks, per};
    lk_pool_run(pool, attention_task, &job);
}
