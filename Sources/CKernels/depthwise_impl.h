// Body of the depthwise convolution (then the pointwise program on each finished row), compiled twice (generic and AVX-512) by depthwise.c and
// depthwise_avx512.c with DW_FUNCTION naming the result. Channels [c0, c1) of x [c, h, w] → y [c, oh, ow].
void DW_FUNCTION(const float *x, int64_t c0, int64_t c1, int64_t h, int64_t w, const float *weight, const float *bias,
                 int kh, int kw, int sy, int sx, int pt, int pl, int64_t oh, int64_t ow, const lk_pw_op *ops, int nops, int simd,
                 float *y) {
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
                for (int kx = 0; kx < kw; kx++) {
                    float wv = wk[ky * kw + kx];
                    // Output columns whose input column kx - pl + ox·sx lies inside the row.
                    int64_t first = pl - kx > 0 ? (pl - kx + sx - 1) / sx : 0;
                    int64_t end = (w - 1 + pl - kx) / sx + 1;
                    if (end > ow) end = ow;
                    if (w - 1 + pl - kx < 0) end = 0;
                    const float *s = src + kx - pl;
                    if (sx == 1) {
                        for (int64_t ox = first; ox < end; ox++) row[ox] += wv * s[ox];
                    } else {
                        for (int64_t ox = first; ox < end; ox++) row[ox] += wv * s[ox * sx];
                    }
                }
            }
            if (nops > 0) lk_pointwise_span(ops, nops, ch, row, ow, simd);
        }
    }
}
