import Agent
import ArgumentParser
import Foundation
import LLM
import Tensor
import ToolSchema

/// `loupe corpus generate`: writes the plan classifier's instruction corpus from the templates and word lists
/// under `skills/corpus/`, optionally adding paraphrases by a language model (self-instruct).
struct CorpusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus", abstract: "Generate the instruction corpus the plan classifier learns from.",
        subcommands: [Generate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Expand skills/corpus/templates × vocabulary into skills/corpus/generated/PLAN.txt; with --paraphrase, "
                + "also write model rewrites to skills/corpus/paraphrased/PLAN.txt.")

        @Option(help: "The corpus folder (default: the skills folder's corpus/).")
        var folder: String?

        @Option(help: "Expansions tried per template line.")
        var perTemplate = 14

        @Option(help: "Random seed (the corpus is reproducible from it).")
        var seed: UInt64 = 20261207

        @Option(help: "A model that rewrites requests (catalogue name or .gguf); none: no paraphrases.")
        var paraphrase: String?

        @Option(help: "Rewrites asked per plan (of randomly chosen generated requests).")
        var paraphrasesPerPlan = 120

        @Option(help: "Only these plans (comma-separated).")
        var only: String?

        @Option(name: .customLong("exclude"), help: "Evaluation cases (JSON lines) whose requests the corpus must not nearly copy: lines with MiniLM cosine ≥ 0.9 to one of them are dropped (repeatable).")
        var exclude: [String] = []

        /// The instructions of the cases files in `exclude`.
        func excludedRequests() throws -> [String] {
            try exclude.flatMap { file -> [String] in
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw CLIError("cannot read \(file)") }
                return text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }.compactMap { $0["instruction"]?.stringValue }
            }
        }

        /// Keeps the lines of `lines` that are not near copies (cosine ≥ 0.9) of any of `held`.
        static func decontaminated(_ lines: [String], against held: [[Float]], embed: (String) throws -> [Float], cache: EmbeddingCache) throws -> (kept: [String], dropped: Int) {
            guard !held.isEmpty else { return (lines, 0) }
            let vectors = try cache.embeddings(lines, embed: embed)
            var kept: [String] = []
            for (line, v) in zip(lines, vectors) where !held.contains(where: { h in zip(h, v).reduce(0) { $0 + $1.0 * $1.1 } >= 0.9 }) { kept.append(line) }
            return (kept, lines.count - kept.count)
        }

        func run() async throws {
            let dir: URL
            if let folder { dir = URL(fileURLWithPath: folder) } else {
                guard let skills = SkillEnvironment.directories().first else { throw CLIError("no skills folder found (set LOUPE_SKILLS or pass --folder)") }
                dir = skills.appendingPathComponent("corpus")
            }
            var generator = try CorpusGenerator(folder: dir)
            if let labels = try? SkillEnvironment.models().labels() { generator.addClassNames(labels.names) } else {
                FileHandle.standardError.write(Data(("note: ImageNet labels not installed; class names are left out of the corpus\n").utf8))
            }
            var options = CorpusGenerator.Options()
            options.perTemplate = perTemplate
            options.seed = seed
            let wanted = only.map { Set($0.split(separator: ",").map(String.init)) }
            var corpus = generator.generate(options).filter { wanted?.contains($0.plan) ?? true }
            let out = dir.appendingPathComponent("generated")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            // Decontamination: nothing the evaluation sets ask may be learned nearly word for word.
            let held = try excludedRequests()
            let embedder = MiniLMEmbedder(models: try SkillEnvironment.models())
            let cache = EmbeddingCache(file: SkillEnvironment.cacheRoot.appendingPathComponent("plans/minilm-l6.emb"), dimension: 384)
            let heldVectors = try cache.embeddings(held, embed: embedder.embed)
            var dropped = 0
            for i in corpus.indices {
                let kept = Set(try Self.decontaminated(corpus[i].requests.map(\.text), against: heldVectors, embed: embedder.embed, cache: cache).kept)
                dropped += corpus[i].requests.count - kept.count
                corpus[i].requests.removeAll { !kept.contains($0.text) }
            }
            let excluded = exclude.isEmpty ? "" : " " + exclude.map { "--exclude \($0)" }.joined(separator: " ")
            for (plan, requests) in corpus {
                let header = "# Generated by `loupe corpus generate --seed \(seed) --per-template \(perTemplate)\(excluded)` from templates/\(plan).txt; do not edit.\n"
                try (header + requests.map(\.text).joined(separator: "\n") + "\n").write(to: out.appendingPathComponent("\(plan).txt"), atomically: true, encoding: .utf8)
                print("\(plan): \(requests.count) requests")
            }
            // Rewrites made earlier are checked too.
            let rewritten = dir.appendingPathComponent("paraphrased")
            for (plan, _) in corpus {
                let file = rewritten.appendingPathComponent("\(plan).txt")
                guard paraphrase == nil, let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
                let lines = text.split(separator: "\n").map(String.init)
                let reject = generator.vocabulary["reject_opening"] ?? []
                let header = lines.filter { $0.hasPrefix("#") }
                let body = lines.filter { line in !line.hasPrefix("#") && !line.isEmpty && !reject.contains { line.lowercased().hasPrefix($0) } }
                let (kept, n) = try Self.decontaminated(body, against: heldVectors, embed: embedder.embed, cache: cache)
                let rejected = lines.count - header.count - body.count
                if n + rejected > 0 { try ((header + kept).joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8) }
                dropped += n
            }
            if !exclude.isEmpty { print("dropped \(dropped) lines that nearly copy a request of \(exclude.joined(separator: ", "))") }
            guard let paraphrase else { return }
            let model = try ModelResolver.load(paraphrase)
            let instruction = try LLMPlanner.instructions(from: dir.appendingPathComponent("paraphrase.md"))
            var paraphraser = CorpusParaphraser(model: model, instruction: instruction)
            paraphraser.rejectOpenings = generator.vocabulary["reject_opening"] ?? []
            let session = InferenceSession(model: model, context: 1024)
            let rewrites = dir.appendingPathComponent("paraphrased")
            try FileManager.default.createDirectory(at: rewrites, withIntermediateDirectories: true)
            var random = SeededRandom(seed: seed ^ 0x5eed)
            for (plan, requests) in corpus {
                let picked = requests.shuffled(using: &random).prefix(paraphrasesPerPlan)
                var kept: [String] = [], seen = Set(requests.map { CorpusGenerator.normalized($0.text) })
                let started = Date()
                for (i, r) in picked.enumerated() {
                    if let p = try paraphraser.paraphrase(r, seed: seed &+ UInt64(i), session: session), seen.insert(CorpusGenerator.normalized(p)).inserted {
                        kept.append(p)
                    }
                    if (i + 1) % 20 == 0 {
                        FileHandle.standardError.write(Data(("\(plan): \(i + 1)/\(picked.count) asked, \(kept.count) kept, \(Int(Date().timeIntervalSince(started))) s\n").utf8))
                    }
                }
                let clean = try Self.decontaminated(kept, against: heldVectors, embed: embedder.embed, cache: cache).kept
                let header = "# Rewrites by \(model.name) of requests in generated/\(plan).txt (`loupe corpus generate --paraphrase`); kept when they keep every vocabulary word.\n"
                try (header + clean.joined(separator: "\n") + "\n").write(to: rewrites.appendingPathComponent("\(plan).txt"), atomically: true, encoding: .utf8)
                print("\(plan): \(clean.count) of \(picked.count) rewrites kept")
            }
        }
    }
}
