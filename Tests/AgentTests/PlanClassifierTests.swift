import Agent
import Foundation
import Tensor
import Testing

/// The plan classifier: logistic regression that separates what is separable, weighs a small class like a big
/// one, round-trips through its file format, refuses damaged files, and hashes words into sparse features.
@Suite struct PlanClassifierTests {
    /// Points around three centres in 8 dimensions, plus one word feature that only class "c" has.
    static func data(perClass: [Int]) -> (inputs: [PlanClassifier.Input], labels: [Int]) {
        var random = SeededRandom(seed: 42)
        var inputs: [PlanClassifier.Input] = [], labels: [Int] = []
        for (label, n) in perClass.enumerated() {
            for _ in 0..<n {
                var v = (0..<8).map { _ in Float.random(in: -0.3...0.3, using: &random) }
                v[label] += 1
                inputs.append(PlanClassifier.Input(dense: v, sparse: label == 2 ? [(index: 3, value: 1)] : []))
                labels.append(label)
            }
        }
        return (inputs, labels)
    }

    @Test func learnsSeparableClassesIncludingASmallOne() throws {
        let (inputs, labels) = Self.data(perClass: [200, 200, 5])
        let model = try PlanClassifier(classes: ["a", "b", "c"], inputs: inputs, sparseFeatures: 4, labels: labels)
        var right = 0
        for (x, y) in zip(inputs, labels) {
            let p = model.probabilities(x)
            #expect(abs(p.reduce(0, +) - 1) < 1e-4)
            if p.firstIndex(of: p.max()!) == y { right += 1 }
        }
        #expect(right == inputs.count, "\(right) of \(inputs.count)")
        // A new point near the small class's centre goes to it.
        var probe = [Float](repeating: 0, count: 8); probe[2] = 1
        let p = model.probabilities(PlanClassifier.Input(dense: probe, sparse: [(index: 3, value: 1)]))
        #expect(p[2] > 0.5, "\(p)")
    }

    @Test func roundTripsAndRefusesDamagedFiles() throws {
        let (inputs, labels) = Self.data(perClass: [20, 20, 20])
        var options = PlanClassifier.Options()
        options.epochs = 20
        let model = try PlanClassifier(classes: ["a", "b", "c"], inputs: inputs, sparseFeatures: 4, labels: labels, options: options)
        let back = try PlanClassifier(data: model.data)
        #expect(back.classes == model.classes && back.weights == model.weights && back.biases == model.biases)
        var data = model.data
        #expect(throws: AgentError.self) { _ = try PlanClassifier(data: data.prefix(data.count - 3)) }
        data[8] = 0xff; data[9] = 0xff; data[10] = 0xff   // an absurd class count
        #expect(throws: AgentError.self) { _ = try PlanClassifier(data: data) }
        #expect(throws: AgentError.self) { _ = try PlanClassifier(data: Data("not a model".utf8)) }
        #expect(throws: AgentError.self) {
            _ = try PlanClassifier(classes: ["a"], inputs: [PlanClassifier.Input(dense: [1], sparse: [(index: 9, value: 1)])], sparseFeatures: 4, labels: [0])
        }
    }

    @Test func wordFeaturesAreSparseAndUnitLength() {
        let words = WordFeatures(buckets: 1024, scale: 2)
        let f = words.sparse("Cut out the dog, please")
        #expect(!f.isEmpty && f.allSatisfy { (0..<1024).contains($0.index) })
        #expect(abs(f.reduce(0) { $0 + $1.value * $1.value }.squareRoot() - 2) < 1e-4)
        #expect(f.map(\.index) == words.sparse("cut OUT the dog please").map(\.index), "case and punctuation do not matter")
        #expect(WordFeatures(buckets: 0).sparse("anything").isEmpty)
    }

    @Test func oldTrainedModelsArePrunedNewestKept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plans-prune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for i in 0..<5 {
            let file = dir.appendingPathComponent("plans-\(i).bin")
            try Data([UInt8(i)]).write(to: file)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000 + Double(i))], ofItemAtPath: file.path)
        }
        try Data().write(to: dir.appendingPathComponent("minilm-l6.emb"))
        PlanChooser.pruneModels(in: dir, keeping: 2)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(left == ["minilm-l6.emb", "plans-3.bin", "plans-4.bin"])
    }
}
