// Body of the depthwise convolution (then the pointwise program on each finished row), compiled twice
// (generic and AVX-512) by depthwise.c and depthwise_avx512.c with DW_FUNCTION naming the result.
// Channels [c0, c1) of x [c, h, w] → y [c, oh, ow]. Each input row is first copied into a zero-padded
// buffer (for stride 2, split into its even and odd columns), so every tap is one contiguous, full-width
// multiply-add over the output row with no border tests. `scratch` holds 2·(w + kw + 2) + 32 floats.
void DW_FUNCTION(const float *x, int64_t c0, int64_t c1, int64_t h, int64_t w, const float *weight, const float *bias,
                 int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow, const lk_pw_op *ops, int nops, int simd,
                 float *scratch, float *y) {
    // Padded row: pr[j] = x[j - pl] for j in [pl, pl + w), 0 elsewhere, j < padded.
    int64_t padded = (ow - 1) * sx + kw;
    if (padded < pl + w) padded = pl + w;
    int64_t half = (padded + 1) / 2;
    float *pr = scratch, *even = scratch, *odd = scratch + half + 16;
    for (int64_t ch = c0; ch < c1; ch++) {
        const float *in = x + ch * h * w, *wk = weight + ch * kh * kw;
        float *out = y + ch * oh * ow;
        float b = bias ? bias[ch] : 0.0f;
        for (int64_t oy = 0; oy < oh; oy++) {
            float *row = out + oy * ow;
            for (int64_t ox = 0; ox < ow; ox++) row[ox] = b;
            for (int ky = 0; ky < kh; ky++) {
                int64_t iy = oy * sy + ky - pt;
                if (iy < 0 || iy >= h) continue;
                const float *src = in + iy * w;
                if (sx == 1) {
                    for (int64_t j = 0; j < pl && j < padded; j++) pr[j] = 0.0f;
                    for (int64_t j = 0; j < w; j++) pr[pl + j] = src[j];
                    for (int64_t j = pl + w; j < padded; j++) pr[j] = 0.0f;
                    for (int kx = 0; kx < kw; kx++) {
                        float wv = wk[ky * kw + kx];
                        const float *s = pr + kx;
                        for (int64_t ox = 0; ox < ow; ox++) row[ox] += wv * s[ox];
                    }
                } else if (sx == 2) {
                    // even[j] = pr[2j], odd[j] = pr[2j + 1]
                    for (int64_t j = 0; j < half; j++) {
                        int64_t a = 2 * j - pl, bcol = 2 * j + 1 - pl;
                        even[j] = a >= 0 && a < w ? src[a] : 0.0f;
                        odd[j] = bcol >= 0 && bcol < w ? src[bcol] : 0.0f;
                    }
                    for (int kx = 0; kx < kw; kx++) {
                        float wv = wk[ky * kw + kx];
                        const float *s = (kx & 1) ? odd + (kx - 1) / 2 : even + kx / 2;
                        for (int64_t ox = 0; ox < ow; ox++) row[ox] += wv * s[ox];
                    }
                } else {
                    for (int kx = 0; kx < kw; kx++) {
                        float wv = wk[ky * kw + kx];
                        for (int64_t ox = 0; ox < ow; ox++) {
                            int64_t ix = ox * sx + kx - pl;
                            if (ix >= 0 && ix < w) row[ox] += wv * src[ix];
                        }
                    }
                }
            }
            if (nops > 0) lk_pointwise_span(ops, nops, ch, row, ow, simd);
        }
    }
}
