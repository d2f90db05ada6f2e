import Foundation

/// Prompt-processing and generation speed measured the way llama-bench does: `pp N` runs an N-token
/// prompt through an empty cache in one call; `tg N` generates N tokens one at a time from an empty cache.
public struct LLMBenchmark {
    public struct Result: Sendable {
        public let test: String
        public let tokensPerSecond: [Double]
        public var mean: Double { tokensPerSecond.reduce(0, +) / Double(max(1, tokensPerSecond.count)) }
        public var standardDeviation: Double {
            guard tokensPerSecond.count > 1 else { return 0 }
            let m = mean
            return (tokensPerSecond.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(tokensPerSecond.count - 1)).squareRoot()
        }
    }

    public let model: LanguageModel

    public init(model: LanguageModel) { self.model = model }

    /// Deterministic pseudo-random ordinary tokens (no special ones).
    func tokens(_ count: Int, seed: UInt64) -> [Int32] {
        var state = seed
        let limit = UInt64(min(model.tokenizer.count, model.config.vocabulary))
        var out: [Int32] = []
        while out.count < count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let id = Int32((state >> 33) % limit)
            if model.tokenizer.kinds[Int(id)] == .normal { out.append(id) }
        }
        return out
    }

    /// A cache holding `depth` tokens already (untimed), with room for `count` more: the state of an agent
    /// turn whose instructions and examples are cached.
    func cache(depth: Int, then count: Int) throws -> KVCache {
        let t = model.transformer
        let cache = t.makeCache(context: depth + count)
        try cache.reserveForBenchmark(depth + count)
        if depth > 0 { _ = try t.forward(tokens(depth, seed: 3), cache: cache, logits: .none) }
        return cache
    }

    /// Suffix of a test name for a depth, as llama-bench writes it (`pp200 @ d1800`).
    static func depthSuffix(_ depth: Int) -> String { depth > 0 ? " @ d\(depth)" : "" }

    /// Prompt processing of `count` tokens after `depth` cached ones, `repetitions` times (after one warm-up run).
    public func promptProcessing(_ count: Int, depth: Int = 0, repetitions: Int) throws -> Result {
        let t = model.transformer
        let prompt = tokens(count, seed: 1)
        _ = try t.forward(prompt, cache: t.makeCache(context: count), logits: .last)
        var rates: [Double] = []
        for _ in 0..<repetitions {
            let cache = try cache(depth: depth, then: count)
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try t.forward(prompt, cache: cache, logits: .last)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            rates.append(Double(count) / seconds)
        }
        return Result(test: "pp\(count)" + Self.depthSuffix(depth), tokensPerSecond: rates)
    }

    /// Generation of `count` tokens one at a time after `depth` cached ones, `repetitions` times (after a
    /// short warm-up).
    public func generation(_ count: Int, depth: Int = 0, repetitions: Int) throws -> Result {
        let t = model.transformer
        let input = tokens(count, seed: 2)
        let warm = t.makeCache(context: 8)
        for id in input.prefix(4) { _ = try t.forward([id], cache: warm, logits: .last) }
        var rates: [Double] = []
        for _ in 0..<repetitions {
            let cache = try cache(depth: depth, then: count)
            let start = DispatchTime.now().uptimeNanoseconds
            for id in input { _ = try t.forward([id], cache: cache, logits: .last) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            rates.append(Double(count) / seconds)
        }
        return Result(test: "tg\(count)" + Self.depthSuffix(depth), tokensPerSecond: rates)
    }

    /// Peak resident memory of this process so far (VmHWM), in bytes.
    public static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if digits.count >= 2, let kb = Int(digits[1]) { return kb * 1024 }
        }
        return nil
    }
}

extension KVCache {
    /// Allocates the buffers up front so a timed run measures compute, not allocation.
    func reserveForBenchmark(_ positions: Int) throws { try reserve(positions) }
}
