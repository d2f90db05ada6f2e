import Foundation
import LLM
import TestSupport
import Testing

/// Teacher-forced logits of the prefill path: in float32 (SGEMM) against llama.cpp's float32 reference
/// (`f32ref.json`, tight bounds), and in its default bfloat16 precision against llama.cpp's quantized run
/// (`logits.json`, the noise-floor bounds that any engine must meet).
@Suite(.serialized) struct TeacherForcedTests {
    struct Stats { var maxAbs: Float = 0; var sumAbs: Float = 0; var count = 0; var top1Agree = 0; var positions = 0 }

    static func run(model: String, file: String, section: String?, maxAbs: Float, meanAbs: Float, top1Margin: Float,
                    pearsonMin: Double, lastMaxAbs: Float, npyPrefix: String,
                    precision: Transformer.PrefillPrecision = .bfloat16) throws {
        try LoadedModels.use(model) { lm in
        let m = lm.transformer
        let saved = m.prefillPrecision
        m.prefillPrecision = precision
        defer { m.prefillPrecision = saved }
        let json = try Fixtures.llmJSON(model, file)
        let sequences = (section.map { json[$0] } ?? json["sequences"]) as! [[String: Any]]
        for seq in sequences {
            let name = seq["name"] as! String
            let ids = ints(seq["ids"]).map(Int32.init)
            let fixed = ints(seq["fixed_ids_order"])
            let cache = m.makeCache(context: 256)
            let logits = try m.forward(ids, cache: cache, logits: .all)
            let V = m.config.vocabulary
            var stats = Stats()
            for case let p as [String: Any] in seq["positions"] as! [Any] {
                let pos = (p["pos"] as! NSNumber).intValue
                let row = logits[(pos * V)..<((pos + 1) * V)]
                let top5 = ints(p["top5_ids"]), top5Logits = floats(p["top5_logits"])
                let recorded = zip(top5, top5Logits).map { ($0, $1) } + zip(fixed, floats(p["fixed_logits"])).map { ($0, $1) }
                for (id, value) in recorded {
                    let d = abs(row[row.startIndex + id] - value)
                    stats.maxAbs = max(stats.maxAbs, d)
                    stats.sumAbs += d
                    stats.count += 1
                }
                let mine = argmax(row)
                stats.positions += 1
                if mine == top5[0] {
                    stats.top1Agree += 1
                } else {
                    #expect(top5Logits[0] - top5Logits[1] < top1Margin, "\(model) \(name) pos \(pos): argmax \(mine) vs \(top5[0])")
                    #expect(top5.contains(mine), "\(model) \(name) pos \(pos): argmax \(mine) not in llama.cpp top-5")
                }
            }
            #expect(stats.maxAbs <= maxAbs, "\(model) \(name): max |Δ| \(stats.maxAbs)")
            #expect(stats.sumAbs / Float(stats.count) <= meanAbs, "\(model) \(name): mean |Δ| \(stats.sumAbs / Float(stats.count))")
            // Last position, full vector.
            let reference = try Fixtures.npy(Fixtures.llm(model, "\(npyPrefix)\(name).npy"))
            let last = Array(logits[((ids.count - 1) * V)..<(ids.count * V)])
            #expect(reference.count == V)
            var maxLast: Float = 0
            var sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
            for i in 0..<V {
                let a = Double(last[i]), b = Double(reference[i])
                maxLast = max(maxLast, Float(abs(a - b)))
                sx += a; sy += b; sxx += a * a; syy += b * b; sxy += a * b
            }
            let n = Double(V)
            let r = (sxy - sx * sy / n) / ((sxx - sx * sx / n).squareRoot() * (syy - sy * sy / n).squareRoot())
            #expect(r >= pearsonMin, "\(model) \(name): Pearson \(r)")
            #expect(maxLast <= lastMaxAbs, "\(model) \(name): last-position max |Δ| \(maxLast)")
            print("\(model) \(file) \(name): top-1 \(stats.top1Agree)/\(stats.positions), max |Δ| \(stats.maxAbs), mean |Δ| \(stats.sumAbs / Float(stats.count)), last r \(r), last max |Δ| \(maxLast)")
        }
        }
    }

    @Test(arguments: ["smollm2-135m", "qwen2.5-coder-0.5b"])
    func float32Reference(model: String) throws {
        try Self.run(model: model, file: "f32ref.json", section: "teacher_forced", maxAbs: 0.1, meanAbs: 0.01,
                     top1Margin: 0.05, pearsonMin: 0.99999, lastMaxAbs: 0.1, npyPrefix: "f32ref_logits_last_",
                     precision: .float32)
    }

    @Test func quantizedReferenceSmolLM() throws {
        try Self.run(model: "smollm2-135m", file: "logits.json", section: nil, maxAbs: 2.5, meanAbs: 0.35,
                     top1Margin: 0.75, pearsonMin: 0.995, lastMaxAbs: 3.0, npyPrefix: "logits_last_")
    }

    @Test func quantizedReferenceQwen() throws {
        try Self.run(model: "qwen2.5-coder-0.5b", file: "logits.json", section: nil, maxAbs: 1.0, meanAbs: 0.15,
                     top1Margin: 0.5, pearsonMin: 0.999, lastMaxAbs: 1.0, npyPrefix: "logits_last_")
    }
}
