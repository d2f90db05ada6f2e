import Foundation
import SkillKit
import ToolSchema

/// The first part of a turn (DESIGN.md, "Plans and answers"): which plan the request needs, chosen by a
/// classifier over sentence embeddings of the request, trained on the instruction corpus
/// (`skills/corpus/generated|paraphrased/PLAN.txt`) and, for plans without a corpus (a plugin's tool), on the
/// requests of their skills' examples. Training takes seconds; embeddings of the corpus are cached on disk, and
/// the trained model too, keyed by everything it was trained on, so a new plugin retrains it on its next use.
public final class PlanChooser: @unchecked Sendable {
    /// Requests labelled with the plan they need.
    public struct TrainingSet: Sendable {
        public var classes: [String]
        public var texts: [String]
        public var labels: [Int]
        /// Plans with no request at all (they can never be chosen).
        public var empty: [String]

        /// At most `n` requests of each plan, chosen by a shuffle seeded with `seed` (to compare sentence
        /// features on a corpus small enough to embed with a slow embedder).
        public func sampled(perPlan n: Int, seed: UInt64) -> TrainingSet {
            var out = TrainingSet(classes: classes, texts: [], labels: [], empty: empty)
            for label in classes.indices {
                // Ordered by a seeded hash of each text: the same sample every run, whatever the file order.
                let chosen = zip(texts, labels).filter { $0.1 == label }
                    .map { (text: $0.0, order: (EmbeddingCache.key($0.0) ^ seed) &* 0x9E37_79B9_7F4A_7C15) }
                    .sorted { $0.order < $1.order }.prefix(max(1, n)).map(\.text)
                out.texts += chosen
                out.labels += Array(repeating: label, count: chosen.count)
            }
            return out
        }
    }

    /// A choice, with every plan's probability (best first).
    public struct Choice: Sendable {
        public var plan: Plan
        public var probability: Float
        public var ranked: [(plan: String, probability: Float)]
        public var milliseconds: Double
        /// The ranked plans themselves (best first), for a turn that cannot follow the best one.
        public var alternatives: [(plan: Plan, probability: Float)] = []

        public init(plan: Plan, probability: Float, ranked: [(plan: String, probability: Float)] = [], milliseconds: Double = 0) {
            (self.plan, self.probability, self.ranked, self.milliseconds) = (plan, probability, ranked, milliseconds)
        }
    }

    public let catalog: PlanCatalog
    public let classifier: PlanClassifier
    /// Word features beside the embedding.
    public let words: WordFeatures
    private let embedder: any TextEmbedder
    /// Whether the classifier was trained now (false: restored from the model cache), and how long it took.
    public let trainedNow: Bool
    public let trainingSeconds: Double

    /// Gathers the training requests of every plan of `catalog`: the corpus files of its name in `corpus`
    /// (`generated/` and `paraphrased/`), else — a plan of one skill — the `User:` requests of the examples
    /// (in any skill's examples.md) whose first call is that skill, its `requests` and its description.
    /// For a plan taught only by its skill's requests, how many typed variants of each are added.
    public static let variantsPerRequest = 6

    public static func trainingSet(catalog: PlanCatalog, corpus: URL?, manifests: [SkillManifest]) -> TrainingSet {
        var bySkill: [String: [String]] = [:]
        for m in manifests {
            bySkill[m.name, default: []] += m.requests + [m.description]
            for example in FewShotExamples.parse(m.examples) {
                guard case let .user(text)? = example.first else { continue }
                let first = example.lazy.compactMap { e -> String? in if case let .call(c) = e { return c } else { return nil } }.first
                let skill = first.flatMap { try? JSONParser.parse($0) }?["name"]?.stringValue ?? m.name
                bySkill[skill, default: []].append(text)
            }
        }
        var set = TrainingSet(classes: [], texts: [], labels: [], empty: [])
        for plan in catalog.plans {
            var texts: [String] = []
            if let corpus {
                for sub in ["generated", "paraphrased"] {
                    let file = corpus.appendingPathComponent(sub).appendingPathComponent("\(plan.name).txt")
                    if let text = try? String(contentsOf: file, encoding: .utf8) {
                        texts += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
                    }
                }
            }
            if texts.isEmpty, plan.steps.count == 1 {
                texts = bySkill[plan.steps[0].skill] ?? []
                // A handful of requests (a plugin's): add the ways people type them, as the corpus has.
                if let corpus, let generator = try? CorpusGenerator(folder: corpus) {
                    texts += generator.variants(of: texts, count: variantsPerRequest, seed: EmbeddingCache.key(plan.name))
                }
            }
            texts = Array(Set(texts.filter { !$0.isEmpty })).sorted()
            guard !texts.isEmpty else { set.empty.append(plan.name); continue }
            set.classes.append(plan.name)
            set.texts += texts
            set.labels += Array(repeating: set.classes.count - 1, count: texts.count)
        }
        return set
    }

    /// Trains the classifier on `training` (or restores it from `modelDirectory` when trained on exactly the
    /// same data before). `progress` hears about embedding work worth waiting for.
    public init(catalog: PlanCatalog, training: TrainingSet, embedder: any TextEmbedder, embeddings: EmbeddingCache,
                modelDirectory: URL?, options: PlanClassifier.Options = PlanClassifier.Options(), words: WordFeatures = WordFeatures(),
                progress: ((String) -> Void)? = nil) throws {
        guard !training.classes.isEmpty else { throw AgentError.planner("no plan has any training request (is skills/corpus missing?)") }
        self.catalog = catalog
        self.embedder = embedder
        self.words = words
        let started = Date()
        var key = EmbeddingCache.key("\(embeddings.dimension) \(options.epochs) \(options.learningRate) \(options.l2) \(options.balanced) \(words.buckets) \(words.scale) \(words.letterTriples)")
        for (text, label) in zip(training.texts, training.labels) {
            key = (key ^ EmbeddingCache.key(training.classes[label] + "\t" + text)) &* 1_099_511_628_211
        }
        let file = modelDirectory?.appendingPathComponent(String(format: "plans-%016llx.bin", key))
        if let file, let data = try? Data(contentsOf: file), let restored = try? PlanClassifier(data: data),
           restored.classes == training.classes, restored.features == embeddings.dimension + words.buckets {
            classifier = restored
            trainedNow = false
            try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: file.path)
        } else {
            let vectors = try embeddings.embeddings(training.texts, embed: embedder.embed) { done, total in
                progress?("embedding the plan corpus: \(done)/\(total)")
            }
            let inputs = zip(vectors, training.texts).map { PlanClassifier.Input(dense: $0, sparse: words.sparse($1)) }
            classifier = try PlanClassifier(classes: training.classes, inputs: inputs, sparseFeatures: words.buckets, labels: training.labels, options: options)
            trainedNow = true
            if let file {
                try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? classifier.data.write(to: file, options: .atomic)   // a cache: failing costs a retraining next time
                Self.pruneModels(in: file.deletingLastPathComponent(), keeping: Self.modelsKept)
            }
        }
        trainingSeconds = Date().timeIntervalSince(started)
    }

    /// Trained models kept in the cache folder (with and without a plugin, both feature kinds, …).
    public static let modelsKept = 6

    /// Deletes all but the `keeping` most recently used `plans-*.bin` files of `directory`.
    public static func pruneModels(in directory: URL, keeping: Int) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory.path) else { return }
        let models = names.filter { $0.hasPrefix("plans-") && $0.hasSuffix(".bin") }.map { directory.appendingPathComponent($0) }
        let dated = models.map { ($0, (try? fm.attributesOfItem(atPath: $0.path)[.modificationDate] as? Date) ?? .distantPast) }
        for (file, _) in dated.sorted(by: { $0.1 > $1.1 }).dropFirst(keeping) { try? fm.removeItem(at: file) }
    }

    /// The plan for `request` (the user's words only).
    public func choose(_ request: String) throws -> Choice {
        let started = Date()
        let p = classifier.probabilities(PlanClassifier.Input(dense: try embedder.embed(request), sparse: words.sparse(request)))
        let ranked = zip(classifier.classes, p).sorted { $0.1 > $1.1 }.map { (plan: $0.0, probability: $0.1) }
        guard let best = ranked.first, let plan = catalog.plan(named: best.plan) else {
            throw AgentError.planner("the plan classifier knows no plan of this catalogue")
        }
        var choice = Choice(plan: plan, probability: best.probability, ranked: ranked, milliseconds: Date().timeIntervalSince(started) * 1000)
        choice.alternatives = ranked.compactMap { r in catalog.plan(named: r.plan).map { ($0, r.probability) } }
        return choice
    }
}
