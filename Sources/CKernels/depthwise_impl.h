// Body of the depthwise convolution (then the pointwise program on each finished row), compiled twice
// (generic and AVX-512) by depthwise.c and depthwise_avx512.c with DW_FUNCTION naming the result.
// Channels [c0, c1) of x [c, h, w] → y [c, oh, ow].
//
// Each input row is copied once into a zero-padded buffer (for stride 2, split into its even and odd
// columns), kept in a ring of kh rows, so that every tap (ky, kx) of an output row is a contiguous, border-free
// read p_t[ox]. An output value is then b + Σ_t w_t·p_t[ox], accumulated in registers; 3×3 and 5×5 kernels
// have the tap loop unrolled so the compiler vectorises along the row. Other strides take a direct loop.
// `scratch` holds 2·kh·(padded + 32) + padded + 32 floats (see dw_scratch_floats).

#ifndef DW_TAPS_DEFINED
#define DW_TAPS_DEFINED
#define DW_MAX_TAPS 64
#endif

#define DW_TAPS_FN(NAME, T)                                                                                 \
    static void NAME(const float *const *p, const float *wt, float b, float *out, int64_t ow) {             \
        for (int64_t ox = 0; ox < ow; ox++) {                                                               \
            float acc = b;                                                                                  \
            _Pragma("clang loop unroll(full)") for (int t = 0; t < T; t++) acc += wt[t] * p[t][ox];         \
            out[ox] = acc;                                                                                  \
        }                                                                                                   \
    }

#define DW_CAT2(a, b) a##b
#define DW_CAT(a, b) DW_CAT2(a, b)
DW_TAPS_FN(DW_CAT(DW_FUNCTION, _taps9), 9)
DW_TAPS_FN(DW_CAT(DW_FUNCTION, _taps25), 25)

static void DW_CAT(DW_FUNCTION, _tapsn)(const float *const *p, const float *wt, int taps, float b, float *out, int64_t ow) {
    for (int64_t ox = 0; ox < ow; ox++) out[ox] = b;
    for (int t = 0; t < taps; t++) {
        const float *s = p[t];
        float wv = wt[t];
        for (int64_t ox = 0; ox < ow; ox++) out[ox] += wv * s[ox];
    }
}

void DW_FUNCTION(const float *x, int64_t c0, int64_t c1, int64_t h, int64_t w, const float *weight, const float *bias,
                 int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow, const lk_pw_op *ops, int nops, int simd,
                 float *scratch, float *y) {
    // Padded row: pr[j] = x[j - pl] for j in [pl, pl + w), 0 elsewhere, j < padded.
    int64_t padded = (ow - 1) * sx + kw;
    if (padded < pl + w) padded = pl + w;
    int64_t half = (padded + 1) / 2, slot = padded + 32;
    float *zero = scratch + 2 * (int64_t)kh * slot;
    for (int64_t j = 0; j < slot; j++) zero[j] = 0.0f;
    const float *p[DW_MAX_TAPS];
    float wt[DW_MAX_TAPS];
    int taps = kh * kw;
    int fast = (sx == 1 || sx == 2) && taps <= DW_MAX_TAPS;
    for (int64_t ch = c0; ch < c1; ch++) {
        const float *in = x + ch * h * w, *wk = weight + ch * kh * kw;
        float *out = y + ch * oh * ow;
        float b = bias ? bias[ch] : 0.0f;
        int64_t ring_row[16];
        for (int i = 0; i < 16; i++) ring_row[i] = -1;
        for (int t = 0; t < taps && t < DW_MAX_TAPS; t++) wt[t] = wk[t];
        for (int64_t oy = 0; oy < oh; oy++) {
            float *row = out + oy * ow;
            if (!fast || kh > 16) {
                for (int64_t ox = 0; ox < ow; ox++) row[ox] = b;
                for (int ky = 0; ky < kh; ky++) {
                    int64_t iy = oy * sy + ky - pt;
                    if (iy < 0 || iy >= h) continue;
                    const float *src = in + iy * w;
                    for (int kx = 0; kx < kw; kx++) {
                        float wv = wk[ky * kw + kx];
                        for (int64_t ox = 0; ox < ow; ox++) {
                            int64_t ix = ox * sx + kx - pl;
                            if (ix >= 0 && ix < w) row[ox] += wv * src[ix];
                        }
                    }
                }
            } else {
                for (int ky = 0; ky < kh; ky++) {
                    int64_t iy = oy * sy + ky - pt;
                    if (iy < 0 || iy >= h) {
                        for (int kx = 0; kx < kw; kx++) p[ky * kw + kx] = zero;
                        continue;
                    }
                    int r = (int)(iy % kh);
                    float *buf = scratch + 2 * (int64_t)r * slot;
                    if (ring_row[r] != iy) {
                        const float *src = in + iy * w;
                        if (sx == 1) {
                            for (int64_t j = 0; j < pl; j++) buf[j] = 0.0f;
                            for (int64_t j = 0; j < w; j++) buf[pl + j] = src[j];
                            for (int64_t j = pl + w; j < slot; j++) buf[j] = 0.0f;
                        } else {
                            // even[j] = src[2j − pl], odd[j] = src[2j + 1 − pl] where inside the row, else 0.
                            float *even = buf, *odd = buf + slot;
                            int64_t n = half + 16;
                            int64_t e0 = (pl + 1) / 2, e1 = (w - 1 + pl) / 2 + 1, o0 = pl / 2, o1 = (w - 2 + pl) / 2 + 1;
                            if (w - 2 + pl < 0) o1 = 0;
                            if (e1 > n) e1 = n;
                            if (o1 > n) o1 = n;
                            for (int64_t j = 0; j < n; j++) even[j] = odd[j] = 0.0f;
                            const float *se = src - pl, *so = src + 1 - pl;
                            for (int64_t j = e0; j < e1; j++) even[j] = se[2 * j];
                            for (int64_t j = o0; j < o1; j++) odd[j] = so[2 * j];
                        }
                        ring_row[r] = iy;
                    }
                    for (int kx = 0; kx < kw; kx++)
                        p[ky * kw + kx] = sx == 1 ? buf + kx : (kx & 1) ? buf + slot + (kx - 1) / 2 : buf + kx / 2;
                }
                if (taps == 9) DW_CAT(DW_FUNCTION, _taps9)(p, wt, b, row, ow);
                else if (taps == 25) DW_CAT(DW_FUNCTION, _taps25)(p, wt, b, row, ow);
                else DW_CAT(DW_FUNCTION, _tapsn)(p, wt, taps, b, row, ow);
            }
            if (nops > 0) lk_pointwise_span(ops, nops, ch, row, ow, simd);
        }
    }
}
