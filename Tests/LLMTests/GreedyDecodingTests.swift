import Foundation
import LLM
import TestSupport
import Testing

/// Greedy decoding (prompt by the prefill path, then one token at a time by the quantized decode path)
/// against llama.cpp's greedy continuations, with the fixture README's rules (τ = 0.5):
/// forced — at every step our argmax equals llama.cpp's token unless its top-1/top-2 margin is below τ,
/// and is then still in its top-5; free-running — identical up to the first mismatch, which must be such
/// a near-tie; listed prompts must match all 48 tokens.
@Suite(.serialized) struct GreedyDecodingTests {
    static func check(model: String, mustMatchAll: [String: Int], codePrefix: Int) throws {
        try LoadedModels.use(model) { lm in
        let m = lm.transformer
        let json = try Fixtures.llmJSON(model, "greedy.json")
        let tau: Float = 0.5
        for case let p as [String: Any] in json["prompts"] as! [Any] {
            let name = p["name"] as! String
            let prompt = ints(p["prompt_ids"]).map(Int32.init)
            let expected = ints(p["generated_ids"]).map(Int32.init)
            let margins = floats(p["top1_top2_margin"])
            let top5 = (p["top5_ids"] as! [Any]).map { ints($0) }
            let cache = m.makeCache(context: 1024)
            var logits = try m.forward(prompt, cache: cache, logits: .last)
            var firstMismatch: Int?
            for j in 0..<expected.count {
                let mine = Int32(argmax(logits[...]))
                if mine != expected[j] {
                    if firstMismatch == nil { firstMismatch = j }
                    #expect(margins[j] < tau, "\(model) \(name) step \(j): \(mine) vs \(expected[j]) at margin \(margins[j])")
                    #expect(top5[j].contains(Int(mine)), "\(model) \(name) step \(j): \(mine) not in llama.cpp top-5")
                }
                logits = try m.forward([expected[j]], cache: cache, logits: .last)
            }
            let matched = firstMismatch ?? expected.count
            if let need = mustMatchAll[name] { #expect(matched >= need, "\(model) \(name): free-running matched \(matched) < \(need)") }
            if name == "code" { #expect(matched >= codePrefix, "\(model) code: matched \(matched) < \(codePrefix)") }
            print("\(model) \(name): free-running matches \(matched)/48")
        }
        }
    }

    @Test func smollm2() throws {
        try Self.check(model: "smollm2-135m", mustMatchAll: ["counting": 48], codePrefix: 3)
    }

    @Test func qwen15b() throws {
        try Self.check(model: "qwen2.5-coder-1.5b", mustMatchAll: ["chat_tools": 48], codePrefix: 5)
    }

    @Test func qwen05b() throws {
        try Self.check(model: "qwen2.5-coder-0.5b", mustMatchAll: ["counting": 48, "chat_tools": 28], codePrefix: 5)
    }
}
