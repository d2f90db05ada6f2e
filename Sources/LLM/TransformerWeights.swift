import ModelFormats
import Tensor

/// The weights of one decoder block. Matrices stay in their quantized form inside the memory map.
struct BlockWeights: @unchecked Sendable {
    let attentionNorm: [Float]          // [embedding]
    let wq, wk, wv, wo: QuantizedMatrix // [queryWidth, embedding], [kvWidth, embedding] ×2, [embedding, queryWidth]
    let bq, bk, bv: [Float]?            // [queryWidth], [kvWidth], [kvWidth]
    let ffnNorm: [Float]                // [embedding]
    let gate, up: QuantizedMatrix       // [feedForward, embedding]
    let down: QuantizedMatrix           // [embedding, feedForward]
}

/// All weights of a decoder-only transformer, checked against its configuration.
struct TransformerWeights: @unchecked Sendable {
    let tokenEmbedding: QuantizedMatrix // [vocabulary, embedding]
    let blocks: [BlockWeights]
    let outputNorm: [Float]             // [embedding]
    let output: QuantizedMatrix         // [vocabulary, embedding]; token_embd when tied

    init(gguf: GGUFFile, config c: ModelConfig) throws {
        func info(_ name: String) throws -> (GGUFTensorInfo, GGMLType) {
            guard let t = gguf.tensor(name) else { throw LLMError.missingTensor(name: name) }
            guard let type = GGMLType(rawValue: t.typeID) else {
                throw LLMError.badTensor(name: name, reason: "type \(GGMLType.name(of: t.typeID)) is not supported")
            }
            return (t, type)
        }
        func matrix(_ name: String, rows: Int, cols: Int) throws -> QuantizedMatrix {
            let (t, type) = try info(name)
            guard t.shape == [cols, rows] else {
                throw LLMError.badTensor(name: name, reason: "shape \(t.shape), expected [\(cols), \(rows)] for this configuration")
            }
            return QuantizedMatrix(type: type, rows: rows, cols: cols, data: gguf.tensorData(t), owner: gguf)
        }
        func vector(_ name: String, count: Int) throws -> [Float] {
            let (t, type) = try info(name)
            guard t.shape == [count] else {
                throw LLMError.badTensor(name: name, reason: "shape \(t.shape), expected [\(count)]")
            }
            let m = QuantizedMatrix(type: type, rows: 1, cols: count, data: gguf.tensorData(t), owner: gguf)
            var out = [Float](repeating: 0, count: count)
            out.withUnsafeMutableBufferPointer { m.dequantizeRow(0, into: $0.baseAddress!) }
            guard out.allSatisfy(\.isFinite) else { throw LLMError.badTensor(name: name, reason: "holds NaN or infinity") }
            return out
        }
        func optionalVector(_ name: String, count: Int) throws -> [Float]? {
            gguf.tensor(name) == nil ? nil : try vector(name, count: count)
        }
        tokenEmbedding = try matrix("token_embd.weight", rows: c.vocabulary, cols: c.embedding)
        var blocks: [BlockWeights] = []
        for i in 0..<c.layers {
            let p = "blk.\(i)."
            blocks.append(BlockWeights(
                attentionNorm: try vector(p + "attn_norm.weight", count: c.embedding),
                wq: try matrix(p + "attn_q.weight", rows: c.queryWidth, cols: c.embedding),
                wk: try matrix(p + "attn_k.weight", rows: c.kvWidth, cols: c.embedding),
                wv: try matrix(p + "attn_v.weight", rows: c.kvWidth, cols: c.embedding),
                wo: try matrix(p + "attn_output.weight", rows: c.embedding, cols: c.queryWidth),
                bq: try optionalVector(p + "attn_q.bias", count: c.queryWidth),
                bk: try optionalVector(p + "attn_k.bias", count: c.kvWidth),
                bv: try optionalVector(p + "attn_v.bias", count: c.kvWidth),
                ffnNorm: try vector(p + "ffn_norm.weight", count: c.embedding),
                gate: try matrix(p + "ffn_gate.weight", rows: c.feedForward, cols: c.embedding),
                up: try matrix(p + "ffn_up.weight", rows: c.feedForward, cols: c.embedding),
                down: try matrix(p + "ffn_down.weight", rows: c.embedding, cols: c.feedForward)))
            if c.attentionBias, blocks[i].bq == nil {
                throw LLMError.missingTensor(name: p + "attn_q.bias")
            }
        }
        self.blocks = blocks
        outputNorm = try vector("output_norm.weight", count: c.embedding)
        output = gguf.tensor("output.weight") == nil
            ? tokenEmbedding
            : try matrix("output.weight", rows: c.vocabulary, cols: c.embedding)
    }
}
