// Body of the pointwise programs, compiled twice (generic and AVX-512) by pointwise.c and
// pointwise_avx512.c with PW_FUNCTION naming the result. Applies `ops` in place to v[0..n) of one channel.
void PW_FUNCTION(const lk_pw_op *ops, int count, int64_t channel, float *v, int64_t n) {
    float saved[LK_PW_SPAN];
    for (int64_t start = 0; start < n; start += LK_PW_SPAN) {
        float *s = v + start;
        int64_t len = n - start < LK_PW_SPAN ? n - start : LK_PW_SPAN;
        for (int i = 0; i < count; i++) {
            const lk_pw_op *op = &ops[i];
            float a = op->va ? op->va[channel] : op->a, b = op->vb ? op->vb[channel] : op->b;
            switch (op->kind) {
            case LK_PW_AFFINE:
                for (int64_t t = 0; t < len; t++) s[t] = s[t] * a + b;
                break;
            case LK_PW_CLIP:
                for (int64_t t = 0; t < len; t++) {
                    float x = s[t] < a ? a : s[t];
                    s[t] = x > b ? b : x;
                }
                break;
            case LK_PW_HARDSIGMOID:
                for (int64_t t = 0; t < len; t++) {
                    float x = s[t] * a + b;
                    x = x < 0.0f ? 0.0f : x;
                    s[t] = x > 1.0f ? 1.0f : x;
                }
                break;
            case LK_PW_HARDSWISH:
                for (int64_t t = 0; t < len; t++) {
                    float x = s[t] / 6.0f + 0.5f;
                    x = x < 0.0f ? 0.0f : x;
                    x = x > 1.0f ? 1.0f : x;
                    s[t] *= x;
                }
                break;
            case LK_PW_SIGMOID:
#ifdef PW_SIGMOID_SPAN
                PW_SIGMOID_SPAN(s, len);
#else
                for (int64_t t = 0; t < len; t++) s[t] = 1.0f / (1.0f + expf(-s[t]));
#endif
                break;
            case LK_PW_GATE_BEGIN:
                for (int64_t t = 0; t < len; t++) saved[t] = s[t];
                break;
            case LK_PW_GATE_END:
                for (int64_t t = 0; t < len; t++) s[t] *= saved[t];
                break;
            default:
                break;
            }
        }
    }
}
