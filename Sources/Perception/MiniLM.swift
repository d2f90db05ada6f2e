import Foundation
import ModelFormats
import Tensor
import Tokenizers

/// all-MiniLM-L6-v2 sentence embeddings: BERT (6 layers, hidden 384, 12 heads, GELU, LayerNorm ε 1e-12)
/// from safetensors, mean pooling over all tokens, L2 normalisation → 384 values of unit length.
public final class MiniLM: @unchecked Sendable {
    public let tokenizer: WordPieceTokenizer
    let hidden = 384, heads = 12, intermediate = 1536, layers = 6
    let wordEmbeddings: [Float]        // [vocab, 384]
    let positionEmbeddings: [Float]    // [512, 384]
    let tokenTypeEmbedding: [Float]    // [384] (type 0)
    let embeddingNorm: (weight: [Float], bias: [Float])
    let blocks: [Block]
    let blas: BLAS

    struct Linear {
        let weight: [Float]  // [out, in]
        let bias: [Float]    // [out]
        let outputs: Int, inputs: Int
    }

    struct Block {
        let query, key, value, attentionOutput: Linear
        let attentionNorm: (weight: [Float], bias: [Float])
        let up, down: Linear
        let outputNorm: (weight: [Float], bias: [Float])
    }

    /// Loads `model.safetensors` and `vocab.txt` from `directory`.
    public convenience init(directory: URL) throws {
        try self.init(weights: directory.appendingPathComponent("model.safetensors").path,
                      vocabulary: directory.appendingPathComponent("vocab.txt").path)
    }

    public init(weights: String, vocabulary: String) throws {
        tokenizer = try WordPieceTokenizer(vocabularyFile: vocabulary)
        let file = try SafetensorsFile(path: weights)
        func tensor(_ name: String, _ shape: [Int]) throws -> [Float] {
            guard let t = file.tensor(name) ?? file.tensor("bert." + name) else {
                throw PerceptionError.badWeights(network: "MiniLM", tensor: name, reason: "is missing")
            }
            guard t.shape == shape else {
                throw PerceptionError.badWeights(network: "MiniLM", tensor: name, reason: "has shape \(t.shape), expected \(shape)")
            }
            return file.floats(t)
        }
        let h = 384
        func linear(_ name: String, _ out: Int, _ inp: Int) throws -> Linear {
            Linear(weight: try tensor(name + ".weight", [out, inp]), bias: try tensor(name + ".bias", [out]), outputs: out, inputs: inp)
        }
        func norm(_ name: String) throws -> (weight: [Float], bias: [Float]) {
            (try tensor(name + ".weight", [h]), try tensor(name + ".bias", [h]))
        }
        let vocab = tokenizer.vocabulary.count
        wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [vocab, h])
        positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [512, h])
        tokenTypeEmbedding = Array(try tensor("embeddings.token_type_embeddings.weight", [2, h]).prefix(h))
        embeddingNorm = try norm("embeddings.LayerNorm")
        blocks = try (0..<6).map { i in
            let p = "encoder.layer.\(i)."
            return Block(query: try linear(p + "attention.self.query", h, h), key: try linear(p + "attention.self.key", h, h),
                         value: try linear(p + "attention.self.value", h, h),
                         attentionOutput: try linear(p + "attention.output.dense", h, h),
                         attentionNorm: try norm(p + "attention.output.LayerNorm"),
                         up: try linear(p + "intermediate.dense", 1536, h), down: try linear(p + "output.dense", h, 1536),
                         outputNorm: try norm(p + "output.LayerNorm"))
        }
        blas = try BLAS.shared()
    }

    /// The unit-length sentence embedding of `text` (`[384]`).
    public func embed(_ text: String) throws -> [Float] {
        try embed(ids: tokenizer.encode(text))
    }

    /// The embedding of already tokenized input (`[CLS] … [SEP]`).
    public func embed(ids: [Int32]) throws -> [Float] {
        let states = try hiddenStates(ids: ids)
        let n = ids.count
        var pooled = [Float](repeating: 0, count: hidden)
        for t in 0..<n { for i in 0..<hidden { pooled[i] += states[t * hidden + i] } }
        let norm = max(1e-12, pooled.reduce(0) { $0 + $1 * $1 }.squareRoot() / Float(n))
        return pooled.map { $0 / Float(n) / norm }
    }

    /// The last hidden state `[n, 384]`.
    public func hiddenStates(ids: [Int32]) throws -> [Float] {
        let n = ids.count
        guard n >= 1, n <= 512 else { throw PerceptionError.invalidInput(network: "MiniLM", reason: "\(n) tokens (1…512 allowed)") }
        var x = [Float](repeating: 0, count: n * hidden)             // [n, 384]
        for (t, id) in ids.enumerated() {
            guard id >= 0, Int(id) < tokenizer.vocabulary.count else {
                throw PerceptionError.invalidInput(network: "MiniLM", reason: "token id \(id) outside the vocabulary")
            }
            for i in 0..<hidden {
                x[t * hidden + i] = wordEmbeddings[Int(id) * hidden + i] + positionEmbeddings[t * hidden + i] + tokenTypeEmbedding[i]
            }
        }
        layerNorm(&x, rows: n, embeddingNorm)
        for b in blocks {
            let q = project(x, rows: n, b.query), k = project(x, rows: n, b.key), v = project(x, rows: n, b.value)
            let context = attention(q: q, k: k, v: v, rows: n)                  // [n, 384]
            var a = project(context, rows: n, b.attentionOutput)
            for i in a.indices { a[i] += x[i] }
            layerNorm(&a, rows: n, b.attentionNorm)
            var u = project(a, rows: n, b.up)                                   // [n, 1536]
            for i in u.indices { u[i] = 0.5 * u[i] * (1 + erf(u[i] / 2.0.squareRoot().float)) }
            var d = project(u, rows: n, b.down)
            for i in d.indices { d[i] += a[i] }
            layerNorm(&d, rows: n, b.outputNorm)
            x = d
        }
        return x
    }

    /// `x [rows, in] · Wᵀ + b → [rows, out]`.
    func project(_ x: [Float], rows: Int, _ l: Linear) -> [Float] {
        var y = [Float](repeating: 0, count: rows * l.outputs)
        for r in 0..<rows { for o in 0..<l.outputs { y[r * l.outputs + o] = l.bias[o] } }
        x.withUnsafeBufferPointer { xp in
            l.weight.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    blas.sgemm(transA: false, transB: true, m: rows, n: l.outputs, k: l.inputs, alpha: 1, a: xp.baseAddress!,
                               lda: l.inputs, b: wp.baseAddress!, ldb: l.inputs, beta: 1, c: yp.baseAddress!, ldc: l.outputs)
                }
            }
        }
        return y
    }

    func attention(q: [Float], k: [Float], v: [Float], rows n: Int) -> [Float] {
        let d = hidden / heads
        let scale = 1 / Float(d).squareRoot()
        var out = [Float](repeating: 0, count: n * hidden)
        var scores = [Float](repeating: 0, count: n * n)
        for h in 0..<heads {
            q.withUnsafeBufferPointer { qp in
                k.withUnsafeBufferPointer { kp in
                    scores.withUnsafeMutableBufferPointer { sp in
                        blas.sgemm(transA: false, transB: true, m: n, n: n, k: d, alpha: scale, a: qp.baseAddress! + h * d, lda: hidden,
                                   b: kp.baseAddress! + h * d, ldb: hidden, beta: 0, c: sp.baseAddress!, ldc: n)
                    }
                }
            }
            for r in 0..<n {
                var m = -Float.infinity
                for c in 0..<n { m = max(m, scores[r * n + c]) }
                var z: Float = 0
                for c in 0..<n { scores[r * n + c] = expf(scores[r * n + c] - m); z += scores[r * n + c] }
                for c in 0..<n { scores[r * n + c] /= z }
            }
            scores.withUnsafeBufferPointer { sp in
                v.withUnsafeBufferPointer { vp in
                    out.withUnsafeMutableBufferPointer { op in
                        blas.sgemm(transA: false, transB: false, m: n, n: d, k: n, alpha: 1, a: sp.baseAddress!, lda: n,
                                   b: vp.baseAddress! + h * d, ldb: hidden, beta: 0, c: op.baseAddress! + h * d, ldc: hidden)
                    }
                }
            }
        }
        return out
    }

    func layerNorm(_ x: inout [Float], rows: Int, _ p: (weight: [Float], bias: [Float])) {
        for r in 0..<rows {
            var mean: Float = 0
            for i in 0..<hidden { mean += x[r * hidden + i] }
            mean /= Float(hidden)
            var variance: Float = 0
            for i in 0..<hidden { let d = x[r * hidden + i] - mean; variance += d * d }
            variance /= Float(hidden)
            let inv = 1 / (variance + 1e-12).squareRoot()
            for i in 0..<hidden { x[r * hidden + i] = (x[r * hidden + i] - mean) * inv * p.weight[i] + p.bias[i] }
        }
    }
}

private extension Double {
    var float: Float { Float(self) }
}
