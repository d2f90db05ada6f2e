// The pointwise loops of pointwise_impl.h compiled for AVX-512 (the compiler vectorises each loop).
#include "loupe_kernels.h"
#include <math.h>

#if defined(__x86_64__) && defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,avx512f"))), apply_to = function)
#define PW_FUNCTION lk_pointwise_span_avx512
#include "pointwise_impl.h"
#undef PW_FUNCTION
#pragma clang attribute pop
#else
void lk_pointwise_span_generic(const lk_pw_op *ops, int count, int64_t channel, float *v, int64_t n);
void lk_pointwise_span_avx512(const lk_pw_op *ops, int count, int64_t channel, float *v, int64_t n) {
    lk_pointwise_span_generic(ops, count, channel, v, n);
}
#endif
