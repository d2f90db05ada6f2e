// Loupe's hot CPU kernels: quantized block formats (GGUF/ggml layouts), dot products on the blocks,
// dequantisation, a small spinning thread pool, and single-token attention.
// Written for Loupe from the GGUF block-format specification; AVX-512 (VNNI) path with a scalar fallback.
#ifndef LOUPE_KERNELS_H
#define LOUPE_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// ggml tensor type ids, as stored in GGUF tensor infos.
enum {
    LK_F32 = 0, LK_F16 = 1, LK_Q4_0 = 2, LK_Q4_1 = 3, LK_Q5_0 = 6, LK_Q5_1 = 7, LK_Q8_0 = 8,
    LK_Q4_K = 12, LK_Q5_K = 13, LK_Q6_K = 14, LK_BF16 = 30
};

/// Activations quantized to 8 bits in blocks of 32: x[i] ≈ d·qs[i]; s = d·Σqs.
typedef struct {
    float d;
    float s;
    int8_t qs[32];
} lk_block_q8;

/// Elements per block of `type` (0 if the type is not supported).
int lk_block_elements(int type);
/// Bytes per block of `type` (0 if the type is not supported).
int lk_block_bytes(int type);
/// Whether `type` is dotted against 8-bit activations (lk_block_q8) rather than float32.
int lk_uses_q8(int type);
/// 1 when the AVX-512 VNNI kernels are in use; 0 for the portable scalar code.
int lk_simd_level(void);
/// Forces the scalar kernels (enabled = 0) or restores automatic selection (enabled = 1) for work started
/// from the calling thread (tests).
void lk_set_simd(int enabled);

/// Dequantizes `n` elements (a multiple of the block size) of `type` from `src` to `dst`.
void lk_dequantize(int type, const void *src, float *dst, int64_t n);
/// Quantizes `n` floats (a multiple of 32) into n/32 blocks.
void lk_quantize_q8(const float *x, lk_block_q8 *dst, int64_t n);
/// Dot product of one row of `n` weights of `type` with the activations `x`
/// (lk_block_q8 blocks when lk_uses_q8(type), else n floats).
float lk_dot(int type, const void *row, const void *x, int64_t n);

typedef struct lk_pool lk_pool;
/// A task run by every pool thread: ith in 0..<nth (0 is the calling thread).
typedef void (*lk_task)(void *ctx, int ith, int nth);
/// Creates a pool of `threads` threads in all (the caller counts as one).
lk_pool *lk_pool_create(int threads);
void lk_pool_destroy(lk_pool *pool);
int lk_pool_threads(const lk_pool *pool);
/// Runs `task` on every thread of the pool and returns when all have finished. Calls from different threads
/// are serialised; a task must not call lk_pool_run on its own pool.
void lk_pool_run(lk_pool *pool, lk_task task, void *ctx);

/// y[r] = dot(row r of W, x) for r in 0..<rows; W rows are `row_bytes` apart, `k` elements each.
void lk_matvec(lk_pool *pool, int type, const void *w, size_t row_bytes, int64_t rows, int64_t k,
               const void *x, float *y);
/// Dequantizes rows [r0, r1) of W into dst (row-major, k floats per row), in parallel.
void lk_dequantize_rows(lk_pool *pool, int type, const void *w, size_t row_bytes, int64_t r0, int64_t r1,
                        int64_t k, float *dst);

/// Query heads of one KV head handled by one task of lk_attention_decode (its scratch is per thread).
#define LK_ATTENTION_HEADS_PER_TASK 4
/// Attention of one query token over `t` cached positions, grouped-query.
/// q: [n_head, hd]; k_cache, v_cache: [t, n_kv, hd] (row stride n_kv·hd); out: [n_head, hd];
/// scratch: at least lk_pool_threads(pool)·LK_ATTENTION_HEADS_PER_TASK·t floats.
void lk_attention_decode(lk_pool *pool, const float *q, const float *k_cache, const float *v_cache,
                         int64_t t, int n_head, int n_kv, int hd, float scale, float *out, float *scratch);

/// Row-wise softmax of s ([rows, cols], leading dimension ld) in place, causal: row r sees the first
/// past + r/group + 1 columns, the rest become 0.
void lk_causal_softmax(lk_pool *pool, float *s, int64_t rows, int64_t cols, int64_t ld, int64_t past, int64_t group);
/// Softmax of each row of s [rows, cols] in place.
void lk_softmax_rows(lk_pool *pool, float *s, int64_t rows, int64_t cols);
/// out[p] = mean of x[p·inner ..< (p+1)·inner] for each of `planes` planes.
void lk_plane_means(lk_pool *pool, const float *x, int64_t planes, int64_t inner, float *out);
/// y[p][oy][ox] = x[p][ys[oy]][xs[ox]] for each of `planes` planes [h, w] → [oh, ow] (indices must be in range).
void lk_gather_nearest(lk_pool *pool, const float *x, int64_t planes, int64_t h, int64_t w, const int64_t *ys, int64_t oh,
                       const int64_t *xs, int64_t ow, float *y);
/// gate[i] = silu(gate[i]) · up[i] for n values.
void lk_swiglu(lk_pool *pool, float *gate, const float *up, int64_t n);
/// Spin rounds a worker waits for the next task before sleeping (default 20000; 0 sleeps at once).
void lk_pool_set_spin(lk_pool *pool, int rounds);

/// 1 when the AVX-512 BF16 prefill GEMM can run on this CPU.
int lk_gemm_bf16_supported(void);
/// y[t][n] = Σ_k x[t][k]·W[n][k] for n in 0..<rows (y row stride ldy), W quantized rows of `type`,
/// computed in bfloat16 with float32 accumulation, in parallel. Returns 0, or -1 if unsupported / out of memory.
int lk_gemm_bf16(lk_pool *pool, int type, const void *w, size_t row_bytes, int64_t rows, int64_t k,
                 const float *x, int64_t t, float *y, int64_t ldy);

/// Depthwise convolution of x [c, h, w] with weight [c, kh, kw] (+ bias [c]) into y [c, oh, ow]; strides
/// sy, sx; padding pt (top) and pl (left), the rest implied by oh, ow. Channels split over the pool.
int lk_depthwise_conv(lk_pool *pool, const float *x, int64_t c, int64_t h, int64_t w, const float *weight, const float *bias,
                      int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow, float *y);

/// Operations of a pointwise program, applied in order to each value v of channel c. a and b are scalars, or
/// per-channel when va / vb are set (va[c], vb[c]).
typedef enum {
    LK_PW_AFFINE = 0,       ///< v = v·a + b
    LK_PW_CLIP = 1,         ///< v = min(max(v, a), b)
    LK_PW_HARDSIGMOID = 2,  ///< v = clip(v·a + b, 0, 1)
    LK_PW_HARDSWISH = 3,    ///< v = v · clip(v/6 + 1/2, 0, 1)
    LK_PW_SIGMOID = 4,      ///< v = 1 / (1 + e^-v)
    LK_PW_GATE_BEGIN = 5,   ///< remember v as g (gates do not nest)
    LK_PW_GATE_END = 6      ///< v = g · v
} lk_pw_kind;

typedef struct {
    int32_t kind;
    float a, b;
    const float *va, *vb;
} lk_pw_op;

/// Values a pointwise program processes at a time (the gate's saved copy lives on the stack).
#define LK_PW_SPAN 256

/// Applies the program to v[0..n) of channel `channel` in place (simd: the AVX-512 build).
void lk_pointwise_span(const lk_pw_op *ops, int count, int64_t channel, float *v, int64_t n, int simd);
/// Applies the program in place to v [batch, channels, inner], in parallel.
void lk_pointwise(lk_pool *pool, const lk_pw_op *ops, int count, int64_t batch, int64_t channels, int64_t inner, float *v);

/// Rows of the convolution micro-kernel (weights are packed in panels of this many output channels) and its columns.
#define LK_CONV_MR 8
#define LK_CONV_NR 32
/// Output pixels per im2col block.
#define LK_CONV_NB 128

/// Floats needed for weights [co, k] packed by lk_conv_pack_weights.
size_t lk_conv_packed_floats(int64_t co, int64_t k);
/// Packs weights [co, k] (k = ci·kh·kw) into panels [co/8][k][8], zero-padded.
void lk_conv_pack_weights(const float *w, int64_t co, int64_t k, float *packed);
/// Convolution of x [ci, h, w] with packed weights (+ bias [co]) into y [co, oh, ow], strides sy, sx, padding pt
/// (top) and pl (left), the rest implied by oh, ow; then the pointwise program on every value (channel index
/// ch_base + output channel). Blocks of pixels split over the pool. Returns 0, -1 for bad sizes, -2 out of memory.
int lk_conv2d(lk_pool *pool, const float *x, int64_t ci, int64_t h, int64_t w, const float *packed, const float *bias, int64_t co,
              int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow, const lk_pw_op *ops, int nops,
              int64_t ch_base, float *y);

/// C [m, n] = A [m, k] · B [k, n], row-major, on the convolution micro-kernel (A packed per call), column
/// blocks split over the pool. Returns 0, or -2 out of memory.
int lk_matmul(lk_pool *pool, const float *a, const float *b, float *c, int64_t m, int64_t k, int64_t n);

/// lk_conv2d on `batch` images x + i·x_stride → y + i·y_stride, all their blocks split over the pool in one run.
int lk_conv2d_batch(lk_pool *pool, const float *x, int64_t batch, int64_t x_stride, int64_t ci, int64_t h, int64_t w, const float *packed,
                    const float *bias, int64_t co, int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow,
                    const lk_pw_op *ops, int nops, int64_t ch_base, float *y, int64_t y_stride);

/// lk_depthwise_conv followed by the pointwise program on each output row. Both return 0, or -2 out of memory.
int lk_depthwise_conv_fused(lk_pool *pool, const float *x, int64_t c, int64_t h, int64_t w, const float *weight, const float *bias,
                            int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow, const lk_pw_op *ops, int nops,
                            float *y);

/// The scatter of a transposed convolution (k×k kernel, stride s, padding pt/pl): cols [co·k·k, h·w] into
/// y [co, oh, ow] with bias [co] (nullable), then the pointwise program on each row.
void lk_col2im(lk_pool *pool, const float *cols, int64_t co, int k, int64_t h, int64_t w, int s, int pt, int pl, int64_t oh, int64_t ow,
               const float *bias, const lk_pw_op *ops, int nops, float *y);

/// Raises glibc's mmap threshold to its maximum (32 MiB) and the trim threshold, so large freed blocks are
/// reused instead of unmapped (and faulted in again). Process-wide; no-op elsewhere.
void lk_keep_large_blocks(void);

/// IEEE half → float.
float lk_f16_to_f32(uint16_t h);

#ifdef __cplusplus
}
#endif
#endif
