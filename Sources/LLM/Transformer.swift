import CKernels
import Foundation
import ModelFormats
import Tensor

/// Which positions of a forward pass need logits.
public enum LogitsRequest: Sendable, Equatable {
    /// None (e.g. a cached prefix).
    case none
    /// The last position only (prompt processing, generation).
    case last
    /// Every position (teacher forcing, scoring).
    case all
    /// Not logits: the final-normalised hidden state of the last token, as a sentence feature `[embedding]`.
    case lastHidden
}

/// A decoder-only transformer (qwen2, llama) over quantized GGUF weights.
///
/// Single tokens take the decode path: activations quantized to 8 bits and dot products on the weight
/// blocks (`lk_matvec`), memory-bandwidth bound. Batches take the prefill path: weight rows dequantized in
/// chunks and multiplied with SGEMM, compute bound. Both write keys and values to a `KVCache`.
/// Not thread-safe: one forward pass at a time.
public final class Transformer: @unchecked Sendable {
    public let config: ModelConfig
    let weights: TransformerWeights
    let pool: KernelPool
    let blas: BLAS
    let rope: RotaryEmbedding
    /// Arithmetic of the prefill path's matrix products.
    public enum PrefillPrecision: Sendable {
        /// Weights dequantized to float32, OpenBLAS SGEMM.
        case float32
        /// Weights and activations rounded to bfloat16, float32 accumulation (AVX-512 BF16; about twice
        /// the throughput). Falls back to float32 on CPUs without it.
        case bfloat16
    }

    /// Precision of the prefill matrix products (default bfloat16 where the CPU has it;
    /// `LOUPE_PREFILL=f32` selects float32).
    public var prefillPrecision: PrefillPrecision = ProcessInfo.processInfo.environment["LOUPE_PREFILL"] == "f32" ? .float32 : .bfloat16

    /// Whether this CPU runs the BF16 prefill kernel.
    public var usesBF16Prefill: Bool { lk_gemm_bf16_supported() != 0 }

    /// Batches of at most this many tokens use per-token matrix-vector products.
    var matvecBatchLimit = 2
    /// Largest batch per prefill pass; longer inputs are split.
    let maxBatch = 512
    let scratch: DecodeScratch
    /// Dequantized weight rows for the prefill path (about 16 MB, or one whole row if larger).
    let dequantScratch: Buffer

    public init(gguf: GGUFFile, threads: Int = KernelPool.defaultThreads) throws {
        let arch = try Architectures.of(gguf)
        config = try arch.configuration(gguf)
        weights = try TransformerWeights(gguf: gguf, config: config)
        pool = KernelPool(threads: threads)
        blas = try BLAS.shared()
        rope = RotaryEmbedding(style: config.ropeStyle, dimensions: config.ropeDimensions, base: config.ropeBase)
        scratch = DecodeScratch(config: config, threads: pool.threads)
        dequantScratch = Buffer(max(4 << 20, config.feedForward * config.embedding, config.embedding, config.feedForward))
    }

    /// A new, empty cache for this model holding up to `context` positions (default: the model's window).
    public func makeCache(context: Int? = nil) -> KVCache {
        KVCache(layers: config.layers, width: config.kvWidth, limit: min(context ?? config.contextLength, config.contextLength))
    }

    /// Runs `tokens` at positions `cache.count…` and appends them to the cache.
    /// Returns logits `[rows, vocabulary]` for the requested positions (empty for `.none`).
    public func forward(_ tokens: [Int32], cache: KVCache, logits request: LogitsRequest) throws -> [Float] {
        guard !tokens.isEmpty else { return [] }
        for t in tokens where t < 0 || Int(t) >= config.vocabulary {
            throw LLMError.tokenOutOfRange(id: t, vocabulary: config.vocabulary)
        }
        try cache.reserve(cache.count + tokens.count)
        if request == .lastHidden {
            // Token by token on the quantized weights (short texts), then the last position's normalised state.
            for t in tokens { _ = decode(t, cache: cache, logits: false) }
            let c = config, s = scratch
            Normalization.rmsNorm(s.x, into: s.h, rows: 1, n: c.embedding, weight: weights.outputNorm, eps: c.rmsEpsilon)
            return Array(UnsafeBufferPointer(start: s.h, count: c.embedding))
        }
        if tokens.count <= matvecBatchLimit {
            var out: [Float] = []
            for (i, t) in tokens.enumerated() {
                let want = request == .all || (request == .last && i == tokens.count - 1)
                out += decode(t, cache: cache, logits: want)
            }
            return out
        }
        var out: [Float] = []
        var start = 0
        while start < tokens.count {
            let end = min(start + maxBatch, tokens.count)
            let isLast = end == tokens.count
            let sub: LogitsRequest = request == .all ? .all : (request == .last && isLast ? .last : .none)
            out += batch(Array(tokens[start..<end]), cache: cache, logits: sub)
            start = end
        }
        return out
    }

    /// One token through every layer (decode path). Returns `[vocabulary]` logits if asked.
    func decode(_ token: Int32, cache: KVCache, logits wantLogits: Bool) -> [Float] {
        let c = config, s = scratch
        let pos = cache.count
        weights.tokenEmbedding.dequantizeRow(Int(token), into: s.x)
        let (cosT, sinT) = rope.tables(positions: pos..<(pos + 1))
        for (l, b) in weights.blocks.enumerated() {
            Normalization.rmsNorm(s.x, into: s.h, rows: 1, n: c.embedding, weight: b.attentionNorm, eps: c.rmsEpsilon)
            s.q8.quantize(s.h, count: c.embedding)
            b.wq.multiply(q8: s.q8, xf: s.h, into: s.q, pool: pool)
            let k = cache.keys[l] + pos * c.kvWidth, v = cache.values[l] + pos * c.kvWidth
            b.wk.multiply(q8: s.q8, xf: s.h, into: k, pool: pool)
            b.wv.multiply(q8: s.q8, xf: s.h, into: v, pool: pool)
            if let bq = b.bq { Activations.add(s.q, bq, count: c.queryWidth) }
            if let bk = b.bk { Activations.add(k, bk, count: c.kvWidth) }
            if let bv = b.bv { Activations.add(v, bv, count: c.kvWidth) }
            rope.apply(s.q, heads: c.heads, headDim: c.headDim, cos: cosT, sin: sinT)
            rope.apply(k, heads: c.kvHeads, headDim: c.headDim, cos: cosT, sin: sinT)
            Kernels.attention(pool: pool, q: s.q, keys: cache.keys[l], values: cache.values[l], positions: pos + 1,
                              config: c, out: s.attention, scratch: s.attentionScratch(positions: pos + 1))
            s.q8.quantize(s.attention, count: c.queryWidth)
            b.wo.multiply(q8: s.q8, xf: s.attention, into: s.h, pool: pool)
            Activations.add(s.x, s.h, count: c.embedding)
            Normalization.rmsNorm(s.x, into: s.h, rows: 1, n: c.embedding, weight: b.ffnNorm, eps: c.rmsEpsilon)
            s.q8.quantize(s.h, count: c.embedding)
            b.gate.multiply(q8: s.q8, xf: s.h, into: s.gate, pool: pool)
            b.up.multiply(q8: s.q8, xf: s.h, into: s.up, pool: pool)
            lk_swiglu(pool.raw, s.gate, s.up, Int64(c.feedForward))
            s.q8.quantize(s.gate, count: c.feedForward)
            b.down.multiply(q8: s.q8, xf: s.gate, into: s.h, pool: pool)
            Activations.add(s.x, s.h, count: c.embedding)
        }
        cache.count = pos + 1
        guard wantLogits else { return [] }
        Normalization.rmsNorm(s.x, into: s.h, rows: 1, n: c.embedding, weight: weights.outputNorm, eps: c.rmsEpsilon)
        s.q8.quantize(s.h, count: c.embedding)
        var logits = [Float](repeating: 0, count: c.vocabulary)
        logits.withUnsafeMutableBufferPointer { weights.output.multiply(q8: s.q8, xf: s.h, into: $0.baseAddress!, pool: pool) }
        return logits
    }
}

/// Buffers reused by every decode step (no allocation per token).
final class DecodeScratch: @unchecked Sendable {
    let x, h, q, attention, gate, up: UnsafeMutablePointer<Float>
    let q8: Q8Activations
    private var attentionBuffer: UnsafeMutablePointer<Float>
    private var attentionCapacity: Int
    private let threads: Int

    init(config c: ModelConfig, threads: Int) {
        x = .allocate(capacity: c.embedding)
        h = .allocate(capacity: max(c.embedding, c.queryWidth))
        q = .allocate(capacity: c.queryWidth)
        attention = .allocate(capacity: c.queryWidth)
        gate = .allocate(capacity: c.feedForward)
        up = .allocate(capacity: c.feedForward)
        q8 = Q8Activations(capacity: max(c.embedding, c.feedForward, c.queryWidth))
        self.threads = threads
        attentionCapacity = 1024
        attentionBuffer = .allocate(capacity: threads * Int(LK_ATTENTION_HEADS_PER_TASK) * attentionCapacity)
    }

    deinit {
        [x, h, q, attention, gate, up, attentionBuffer].forEach { $0.deallocate() }
    }

    /// At least `threads · LK_ATTENTION_HEADS_PER_TASK · positions` floats.
    func attentionScratch(positions: Int) -> UnsafeMutablePointer<Float> {
        if positions > attentionCapacity {
            attentionBuffer.deallocate()
            attentionCapacity = max(positions, attentionCapacity * 2)
            attentionBuffer = .allocate(capacity: threads * Int(LK_ATTENTION_HEADS_PER_TASK) * attentionCapacity)
        }
        return attentionBuffer
    }
}
