// A tiny thread pool for the kernels: the caller is thread 0; workers spin briefly between tasks (decode
// issues hundreds of small tasks per token) and then sleep on a condition variable, so they do not
// compete with OpenBLAS's own threads during long SGEMMs.
#include "loupe_kernels.h"
#include "quant_blocks.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define LK_PAUSE() _mm_pause()
#else
#define LK_PAUSE() ((void)0)
#endif

enum { LK_SPIN_ROUNDS = 20000 };

struct lk_pool;

typedef struct {
    struct lk_pool *pool;
    int index;
} lk_worker;

struct lk_pool {
    int threads;
    pthread_t *handles;
    lk_worker *workers;
    _Atomic uint64_t generation;
    _Atomic int pending;
    _Atomic int sleeping;
    _Atomic int stop;
    _Atomic int spin;
    lk_task task;
    void *ctx;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    pthread_mutex_t run_lock;  // one lk_pool_run at a time: callers on other threads wait their turn
};

static void *worker_main(void *arg) {
    lk_worker *w = (lk_worker *)arg;
    struct lk_pool *pool = w->pool;
    uint64_t seen = 0;
    for (;;) {
        int spins = 0;
        while (atomic_load(&pool->generation) == seen && !atomic_load(&pool->stop) && spins < atomic_load(&pool->spin)) {
            LK_PAUSE();
            spins++;
        }
        if (atomic_load(&pool->generation) == seen && !atomic_load(&pool->stop)) {
            pthread_mutex_lock(&pool->mutex);
            atomic_fetch_add(&pool->sleeping, 1);
            while (atomic_load(&pool->generation) == seen && !atomic_load(&pool->stop))
                pthread_cond_wait(&pool->wake, &pool->mutex);
            atomic_fetch_sub(&pool->sleeping, 1);
            pthread_mutex_unlock(&pool->mutex);
        }
        if (atomic_load(&pool->stop)) return NULL;
        seen = atomic_load(&pool->generation);
        pool->task(pool->ctx, w->index, pool->threads);
        atomic_fetch_sub(&pool->pending, 1);
    }
}

lk_pool *lk_pool_create(int threads) {
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    struct lk_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->threads = threads;
    atomic_store(&pool->spin, LK_SPIN_ROUNDS);
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pthread_mutex_init(&pool->run_lock, NULL);
    pool->handles = calloc((size_t)threads, sizeof(pthread_t));
    pool->workers = calloc((size_t)threads, sizeof(lk_worker));
    if (!pool->handles || !pool->workers) {
        free(pool->handles); free(pool->workers); free(pool);
        return NULL;
    }
    for (int i = 1; i < threads; i++) {
        pool->workers[i].pool = pool;
        pool->workers[i].index = i;
        if (pthread_create(&pool->handles[i], NULL, worker_main, &pool->workers[i]) != 0) {
            pool->threads = i;  // run with the threads that did start
            break;
        }
    }
    return pool;
}

void lk_pool_destroy(lk_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->mutex);
    atomic_store(&pool->stop, 1);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    for (int i = 1; i < pool->threads; i++) pthread_join(pool->handles[i], NULL);
    pthread_mutex_destroy(&pool->mutex);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->run_lock);
    free(pool->handles);
    free(pool->workers);
    free(pool);
}

void lk_pool_set_spin(lk_pool *pool, int rounds) {
    if (pool) atomic_store(&pool->spin, rounds < 0 ? 0 : rounds);
}

int lk_pool_threads(const lk_pool *pool) { return pool ? pool->threads : 1; }

void lk_pool_run(lk_pool *pool, lk_task task, void *ctx) {
    if (!pool || pool->threads == 1) {
        task(ctx, 0, 1);
        return;
    }
    pthread_mutex_lock(&pool->run_lock);
    pool->task = task;
    pool->ctx = ctx;
    atomic_store(&pool->pending, pool->threads - 1);
    atomic_fetch_add(&pool->generation, 1);
    if (atomic_load(&pool->sleeping) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
    task(ctx, 0, pool->threads);
    while (atomic_load(&pool->pending) > 0) LK_PAUSE();
    pthread_mutex_unlock(&pool->run_lock);
}

// ---- parallel matrix-vector product and row dequantisation ----

typedef struct {
    int type;
    const uint8_t *w;
    size_t row_bytes;
    int64_t r0, r1, k;
    const void *x;
    float *y;
    int simd;
} rows_job;

static void split(int64_t begin, int64_t end, int ith, int nth, int64_t *a, int64_t *b) {
    int64_t n = end - begin, per = (n + nth - 1) / nth;
    *a = begin + per * ith;
    *b = *a + per < end ? *a + per : end;
    if (*a > end) *a = end;
}

static void matvec_task(void *ctx, int ith, int nth) {
    rows_job *j = (rows_job *)ctx;
    int64_t a, b;
    split(j->r0, j->r1, ith, nth, &a, &b);
    if (j->simd) {
        for (int64_t r = a; r < b; r++) j->y[r] = lk_dot_avx512(j->type, j->w + (size_t)r * j->row_bytes, j->x, j->k);
    } else {
        for (int64_t r = a; r < b; r++) j->y[r] = lk_dot_scalar(j->type, j->w + (size_t)r * j->row_bytes, j->x, j->k);
    }
}

void lk_matvec(lk_pool *pool, int type, const void *w, size_t row_bytes, int64_t rows, int64_t k,
               const void *x, float *y) {
    rows_job job = {type, (const uint8_t *)w, row_bytes, 0, rows, k, x, y, lk_simd_level()};
    lk_pool_run(pool, matvec_task, &job);
}

static void dequant_task(void *ctx, int ith, int nth) {
    rows_job *j = (rows_job *)ctx;
    int64_t a, b;
    split(j->r0, j->r1, ith, nth, &a, &b);
    for (int64_t r = a; r < b; r++) {
        const uint8_t *src = j->w + (size_t)r * j->row_bytes;
        float *dst = j->y + (size_t)(r - j->r0) * (size_t)j->k;
        if (j->simd) lk_dequantize_avx512(j->type, src, dst, j->k);
        else lk_dequantize_scalar(j->type, src, dst, j->k);
    }
}

void lk_dequantize_rows(lk_pool *pool, int type, const void *w, size_t row_bytes, int64_t r0, int64_t r1,
                        int64_t k, float *dst) {
    rows_job job = {type, (const uint8_t *)w, row_bytes, r0, r1, k, NULL, dst, lk_simd_level()};
    lk_pool_run(pool, dequant_task, &job);
}
