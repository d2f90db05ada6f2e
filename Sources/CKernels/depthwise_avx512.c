// The depthwise loops of depthwise_impl.h compiled for AVX-512 (the compiler vectorises along the row).
#include "loupe_kernels.h"

#if defined(__x86_64__) && defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,avx512f"))), apply_to = function)
#define DW_FUNCTION lk_depthwise_channels_avx512
#include "depthwise_impl.h"
#undef DW_FUNCTION
#pragma clang attribute pop
#else
void lk_depthwise_channels_generic(const float *x, int64_t c0, int64_t c1, int64_t h, int64_t w, const float *weight,
                                   const float *bias, int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow,
                                   const lk_pw_op *ops, int nops, int simd, float *scratch, float *y);
void lk_depthwise_channels_avx512(const float *x, int64_t c0, int64_t c1, int64_t h, int64_t w, const float *weight,
                                  const float *bias, int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow,
                                  const lk_pw_op *ops, int nops, int simd, float *scratch, float *y) {
    lk_depthwise_channels_generic(x, c0, c1, h, w, weight, bias, kh, kw, sy, sx, pt, pl, oh, ow, ops, nops, simd, scratch, y);
}
#endif
