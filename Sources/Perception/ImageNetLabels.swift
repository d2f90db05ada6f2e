import Foundation

/// The 1,000 ImageNet-1k class names in the classifier's index order: `imagenet_synsets.txt` (one WordNet
/// id per line) joined with `imagenet_synset_to_lemma.txt` (id, tab, comma-separated lemmas).
public struct ImageNetLabels: Sendable {
    /// WordNet ids by class index.
    public let synsets: [String]
    /// Names by class index (e.g. "tabby, tabby cat").
    public let names: [String]

    public init(synsetsFile: String, lemmasFile: String) throws {
        guard let ids = try? String(contentsOfFile: synsetsFile, encoding: .utf8),
              let lemmas = try? String(contentsOfFile: lemmasFile, encoding: .utf8) else {
            throw PerceptionError.badWeights(network: "ImageNet labels", tensor: synsetsFile, reason: "cannot be read")
        }
        synsets = ids.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard synsets.count == 1000 else {
            throw PerceptionError.badWeights(network: "ImageNet labels", tensor: synsetsFile, reason: "has \(synsets.count) classes, expected 1000")
        }
        var table: [String: String] = [:]
        for line in lemmas.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "\t", maxSplits: 1)
            if parts.count == 2 { table[String(parts[0])] = String(parts[1]).trimmingCharacters(in: .whitespaces) }
        }
        names = try synsets.map { id in
            guard let name = table[id] else {
                throw PerceptionError.badWeights(network: "ImageNet labels", tensor: lemmasFile, reason: "has no name for \(id)")
            }
            return name
        }
    }
}
