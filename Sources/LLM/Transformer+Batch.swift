import CKernels
import Tensor

extension Transformer {
    /// Several tokens through every layer at once (prefill path): SGEMM over weight rows dequantized in
    /// chunks, attention per head with SGEMM. `tokens.count ≤ maxBatch`.
    func batch(_ tokens: [Int32], cache: KVCache, logits request: LogitsRequest) -> [Float] {
        let c = config, n = tokens.count, past = cache.count, total = past + n
        let E = c.embedding, Qw = c.queryWidth, KVw = c.kvWidth, F = c.feedForward
        let x = Buffer(n * E), h = Buffer(n * E), q = Buffer(n * Qw), k = Buffer(n * KVw), v = Buffer(n * KVw)
        let att = Buffer(n * Qw), gate = Buffer(n * F), up = Buffer(n * F)
        // Workers sleep at once between tasks here: OpenBLAS needs both cores during the SGEMMs.
        lk_pool_set_spin(pool.raw, 0)
        defer { lk_pool_set_spin(pool.raw, 20000) }
        for (i, t) in tokens.enumerated() { weights.tokenEmbedding.dequantizeRow(Int(t), into: x.p + i * E) }
        let (cosT, sinT) = rope.tables(positions: past..<total)
        let half = c.ropeDimensions / 2
        for (l, b) in weights.blocks.enumerated() {
            Normalization.rmsNorm(x.p, into: h.p, rows: n, n: E, weight: b.attentionNorm, eps: c.rmsEpsilon)
            project(h.p, rows: n, b.wq, into: q.p)
            project(h.p, rows: n, b.wk, into: k.p)
            project(h.p, rows: n, b.wv, into: v.p)
            if let bq = b.bq { Activations.addBias(q.p, bias: bq, rows: n, n: Qw) }
            if let bk = b.bk { Activations.addBias(k.p, bias: bk, rows: n, n: KVw) }
            if let bv = b.bv { Activations.addBias(v.p, bias: bv, rows: n, n: KVw) }
            cosT.withUnsafeBufferPointer { cp in
                sinT.withUnsafeBufferPointer { sp in
                    for i in 0..<n {
                        rope.apply(q.p + i * Qw, heads: c.heads, headDim: c.headDim, cos: cp.baseAddress! + i * half, sin: sp.baseAddress! + i * half)
                        rope.apply(k.p + i * KVw, heads: c.kvHeads, headDim: c.headDim, cos: cp.baseAddress! + i * half, sin: sp.baseAddress! + i * half)
                    }
                }
            }
            (cache.keys[l] + past * KVw).update(from: k.p, count: n * KVw)
            (cache.values[l] + past * KVw).update(from: v.p, count: n * KVw)
            attend(q: q.p, keysAll: cache.keys[l], valuesAll: cache.values[l], rows: n, past: past, out: att.p)
            project(att.p, rows: n, b.wo, into: h.p)
            Activations.add(x.p, h.p, count: n * E)
            Normalization.rmsNorm(x.p, into: h.p, rows: n, n: E, weight: b.ffnNorm, eps: c.rmsEpsilon)
            project(h.p, rows: n, b.gate, into: gate.p)
            project(h.p, rows: n, b.up, into: up.p)
            lk_swiglu(pool.raw, gate.p, up.p, Int64(n * F))
            project(gate.p, rows: n, b.down, into: h.p)
            Activations.add(x.p, h.p, count: n * E)
        }
        cache.count = total
        switch request {
        case .none:
            return []
        case .last:
            Normalization.rmsNorm(x.p + (n - 1) * E, into: h.p, rows: 1, n: E, weight: weights.outputNorm, eps: c.rmsEpsilon)
            var logits = [Float](repeating: 0, count: c.vocabulary)
            logits.withUnsafeMutableBufferPointer { project(h.p, rows: 1, weights.output, into: $0.baseAddress!) }
            return logits
        case .lastHidden:
            Normalization.rmsNorm(x.p + (n - 1) * E, into: h.p, rows: 1, n: E, weight: weights.outputNorm, eps: c.rmsEpsilon)
            return Array(UnsafeBufferPointer(start: h.p, count: E))
        case .all:
            Normalization.rmsNorm(x.p, into: h.p, rows: n, n: E, weight: weights.outputNorm, eps: c.rmsEpsilon)
            var logits = [Float](repeating: 0, count: n * c.vocabulary)
            logits.withUnsafeMutableBufferPointer { project(h.p, rows: n, weights.output, into: $0.baseAddress!) }
            return logits
        }
    }

    /// `y[rows, w.rows] = x[rows, w.cols] · wᵀ`. Few rows: quantized matrix-vector products per row.
    /// Otherwise the weight rows are dequantized in chunks (parallel) and multiplied with SGEMM.
    func project(_ x: UnsafePointer<Float>, rows: Int, _ w: QuantizedMatrix, into y: UnsafeMutablePointer<Float>) {
        if rows <= matvecBatchLimit {
            for r in 0..<rows {
                scratch.q8.quantize(x + r * w.cols, count: w.cols)
                w.multiply(q8: scratch.q8, xf: x + r * w.cols, into: y + r * w.rows, pool: pool)
            }
            return
        }
        if prefillPrecision == .bfloat16,
           lk_gemm_bf16(pool.raw, Int32(w.type.rawValue), w.data, w.rowBytes, Int64(w.rows), Int64(w.cols), x,
                        Int64(rows), y, Int64(w.rows)) == 0 {
            return
        }
        let chunk = max(1, min(w.rows, dequantScratch.capacity / w.cols))
        var r0 = 0
        while r0 < w.rows {
            let r1 = min(w.rows, r0 + chunk)
            w.dequantizeRows(r0..<r1, into: dequantScratch.p, pool: pool)
            blas.sgemm(transA: false, transB: true, m: rows, n: r1 - r0, k: w.cols, alpha: 1, a: x, lda: w.cols,
                       b: dequantScratch.p, ldb: w.cols, beta: 0, c: y + r0, ldc: w.rows)
            r0 = r1
        }
    }

    /// Causal attention of `rows` new positions (after `past` cached ones). The query heads sharing a KV
    /// head are stacked (`[rows·group, headDim]`) so each KV head needs two SGEMMs; long contexts are
    /// processed in blocks of rows to bound the score buffer.
    private func attend(q: UnsafePointer<Float>, keysAll: UnsafePointer<Float>, valuesAll: UnsafePointer<Float>, rows n: Int,
                        past: Int, out: UnsafeMutablePointer<Float>) {
        let c = config, total = past + n, group = c.heads / c.kvHeads, hd = c.headDim
        let scale = 1 / Float(hd).squareRoot()
        let block = max(1, min(n, (4 << 20) / (group * total)))
        let stacked = Buffer(block * group * hd), result = Buffer(block * group * hd), scores = Buffer(block * group * total)
        for kv in 0..<c.kvHeads {
            var t0 = 0
            while t0 < n {
                let t1 = min(n, t0 + block), m = (t1 - t0) * group
                for t in t0..<t1 {
                    for j in 0..<group {
                        (stacked.p + ((t - t0) * group + j) * hd).update(from: q + t * c.queryWidth + (kv * group + j) * hd, count: hd)
                    }
                }
                // Keys needed: positions up to past + t1.
                let visible = past + t1
                blas.sgemm(transA: false, transB: true, m: m, n: visible, k: hd, alpha: scale, a: stacked.p, lda: hd,
                           b: keysAll + kv * hd, ldb: c.kvWidth, beta: 0, c: scores.p, ldc: visible)
                lk_causal_softmax(pool.raw, scores.p, Int64(m), Int64(visible), Int64(visible), Int64(past + t0), Int64(group))
                blas.sgemm(transA: false, transB: false, m: m, n: hd, k: visible, alpha: 1, a: scores.p, lda: visible,
                           b: valuesAll + kv * hd, ldb: c.kvWidth, beta: 0, c: result.p, ldc: hd)
                for t in t0..<t1 {
                    for j in 0..<group {
                        (out + t * c.queryWidth + (kv * group + j) * hd).update(from: result.p + ((t - t0) * group + j) * hd, count: hd)
                    }
                }
                t0 = t1
            }
        }
    }
}

/// A scratch float buffer freed when it goes out of scope.
final class Buffer {
    let p: UnsafeMutablePointer<Float>
    let capacity: Int
    init(_ count: Int) {
        capacity = max(1, count)
        p = .allocate(capacity: capacity)
    }
    deinit { p.deallocate() }
}
