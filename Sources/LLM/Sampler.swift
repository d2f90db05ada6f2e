/// How the next token is chosen from the logits.
public struct SamplingParameters: Sendable, Equatable {
    /// 0 picks the most likely token (greedy); higher values flatten the distribution.
    public var temperature: Float = 0
    /// Keep only the k most likely tokens (0: no limit).
    public var topK: Int = 40
    /// Keep the smallest set of tokens whose probabilities sum to at least p (1: no limit).
    public var topP: Float = 0.95
    /// Drop tokens whose probability is below minP × the top probability (0: no limit).
    public var minP: Float = 0.05
    /// Divide positive logits (multiply negative ones) of recently seen tokens by this (1: off).
    public var repetitionPenalty: Float = 1
    /// How many recent tokens the repetition penalty looks at.
    public var repetitionWindow: Int = 64
    /// Random seed (same seed, same settings, same prompt → same output).
    public var seed: UInt64 = 0

    public init(temperature: Float = 0, topK: Int = 40, topP: Float = 0.95, minP: Float = 0.05,
                repetitionPenalty: Float = 1, repetitionWindow: Int = 64, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.repetitionWindow = repetitionWindow
        self.seed = seed
    }

    /// Greedy decoding.
    public static let greedy = SamplingParameters()

    /// Checks ranges; the error names the setting.
    public func validate() throws {
        guard temperature >= 0, temperature <= 10, temperature.isFinite else { throw LLMError.invalidArgument("temperature must be in 0...10") }
        guard topK >= 0 else { throw LLMError.invalidArgument("top-k must be ≥ 0") }
        guard topP > 0, topP <= 1 else { throw LLMError.invalidArgument("top-p must be in (0, 1]") }
        guard minP >= 0, minP < 1 else { throw LLMError.invalidArgument("min-p must be in [0, 1)") }
        guard repetitionPenalty > 0, repetitionPenalty <= 10 else { throw LLMError.invalidArgument("repetition penalty must be in (0, 10]") }
        guard repetitionWindow >= 0 else { throw LLMError.invalidArgument("repetition window must be ≥ 0") }
    }
}

/// Picks tokens: repetition penalty → (mask) → greedy, or top-k → softmax with temperature → top-p →
/// min-p → a draw from a seeded generator.
public struct Sampler {
    public let parameters: SamplingParameters
    private var state: UInt64

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        state = parameters.seed &+ 0x9E37_79B9_7F4A_7C15
    }

    private mutating func nextUniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }

    /// Chooses a token from `logits` (changed in place by the penalty). `allowed`, if given, lists the only
    /// permitted ids (constrained decoding); `history` feeds the repetition penalty.
    public mutating func sample(_ logits: inout [Float], history: ArraySlice<Int32> = [], allowed: [Int32]? = nil) -> Int32 {
        let p = parameters
        if p.repetitionPenalty != 1, p.repetitionWindow > 0 {
            for id in Set(history.suffix(p.repetitionWindow)) where id >= 0 && Int(id) < logits.count {
                let v = logits[Int(id)]
                logits[Int(id)] = v > 0 ? v / p.repetitionPenalty : v * p.repetitionPenalty
            }
        }
        // Candidates: the allowed ids, or the whole vocabulary.
        var candidates: [(id: Int32, logit: Float)]
        if let allowed {
            candidates = allowed.map { ($0, logits[Int($0)]) }
        } else if p.temperature == 0 {
            var best = 0
            for i in 1..<logits.count where logits[i] > logits[best] { best = i }
            return Int32(best)
        } else {
            candidates = []
            candidates.reserveCapacity(logits.count)
            for (i, v) in logits.enumerated() where v.isFinite { candidates.append((Int32(i), v)) }
        }
        guard !candidates.isEmpty else { return 0 }
        if p.temperature == 0 {
            return candidates.max { $0.logit < $1.logit || ($0.logit == $1.logit && $0.id > $1.id) }!.id
        }
        if p.topK > 0, candidates.count > p.topK {
            candidates = Self.largest(candidates, p.topK)
        } else {
            candidates.sort { $0.logit > $1.logit }
        }
        let top = candidates[0].logit
        var probs = candidates.map { Double(expf(($0.logit - top) / p.temperature)) }
        let total = probs.reduce(0, +)
        for i in probs.indices { probs[i] /= total }
        var keep = probs.count
        if p.topP < 1 {
            var sum = 0.0
            for i in probs.indices {
                sum += probs[i]
                if sum >= Double(p.topP) { keep = i + 1; break }
            }
        }
        if p.minP > 0 {
            let threshold = probs[0] * Double(p.minP)
            keep = min(keep, max(1, probs.prefix(keep).firstIndex { $0 < threshold } ?? keep))
        }
        let kept = probs.prefix(keep)
        var r = nextUniform() * kept.reduce(0, +)
        for (i, q) in kept.enumerated() {
            r -= q
            if r <= 0 { return candidates[i].id }
        }
        return candidates[keep - 1].id
    }

    /// The k largest by logit, sorted descending (partial selection, no full sort of the vocabulary).
    static func largest(_ items: [(id: Int32, logit: Float)], _ k: Int) -> [(id: Int32, logit: Float)] {
        var heap: [(id: Int32, logit: Float)] = []  // min-heap of the best k so far
        heap.reserveCapacity(k)
        func less(_ a: (id: Int32, logit: Float), _ b: (id: Int32, logit: Float)) -> Bool { a.logit < b.logit }
        for item in items {
            if heap.count < k {
                heap.append(item)
                var i = heap.count - 1
                while i > 0, less(heap[i], heap[(i - 1) / 2]) { heap.swapAt(i, (i - 1) / 2); i = (i - 1) / 2 }
            } else if item.logit > heap[0].logit {
                heap[0] = item
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < k, less(heap[l], heap[m]) { m = l }
                    if r < k, less(heap[r], heap[m]) { m = r }
                    if m == i { break }
                    heap.swapAt(i, m)
                    i = m
                }
            }
        }
        return heap.sorted { $0.logit > $1.logit }
    }
}

import Foundation
