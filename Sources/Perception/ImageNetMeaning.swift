import Foundation

/// What the 1,000 ImageNet classes mean, through WordNet: each class is a WordNet 3.0 noun synset (its id is
/// the synset's offset), so a word covers every class at or below one of its senses ("dog" → the 118 dog
/// breeds, "fruit" → strawberry, orange, …), and a class can be named by a more general word it falls under
/// ("Pekinese" is a dog).
public final class ImageNetMeaning: @unchecked Sendable {
    /// The classes a query word covers.
    public struct Match: Sendable, Equatable {
        /// The WordNet lemma the word was read as ("geese" → "goose").
        public let lemma: String
        /// Class indices, in index order.
        public let classes: [Int]
    }

    public let wordNet: WordNet
    public let labels: ImageNetLabels
    /// Synset ids at or above each class, by class index.
    private let above: [Set<Int>]

    public init(labels: ImageNetLabels, wordNet: WordNet) throws {
        (self.labels, self.wordNet) = (labels, wordNet)
        above = try labels.synsets.map { id in
            guard id.count == 9, id.first == "n", let offset = Int(id.dropFirst()) else {
                throw PerceptionError.badWeights(network: "ImageNet labels", tensor: id, reason: "is not a WordNet noun id like n02085620")
            }
            return try wordNet.ancestors(offset)
        }
    }

    /// The classes `word` (a noun or noun phrase, singular or plural) covers, or nil when WordNet does not know
    /// it. The senses seen in WordNet's tagged corpus are used when they cover any class, else every sense
    /// ("mouse" the animal has no class, so the computer mouse is meant). Each base form is tried in turn
    /// ("glasses" before "glass").
    public func match(_ word: String) throws -> Match? {
        var known: String?
        for lemma in try wordNet.baseForms(word) {
            guard let entry = try wordNet.entry(lemma) else { continue }
            known = known ?? lemma
            let tagged = Set(entry.synsets.prefix(max(1, entry.tagged)))
            var classes = covered(by: tagged)
            if classes.isEmpty { classes = covered(by: Set(entry.synsets)) }
            if !classes.isEmpty { return Match(lemma: lemma, classes: classes) }
        }
        return known.map { Match(lemma: $0, classes: []) }
    }

    /// Whether `word` means a kind of the synset `offset` (e.g. person's, 00007846): its first sense falls under
    /// it, and so does every class any of its senses covers ("whale" is first a very large person in WordNet,
    /// but it covers the whale classes, so it is not a person word; "diver" covers only the scuba diver).
    public func word(_ word: String, isKindOf offset: Int) throws -> Bool {
        for lemma in try wordNet.baseForms(word) {
            guard let entry = try wordNet.entry(lemma), let first = entry.synsets.first else { continue }
            guard try wordNet.ancestors(first).contains(offset) else { return false }
            return covered(by: Set(entry.synsets)).allSatisfy { above[$0].contains(offset) }
        }
        return false
    }

    /// The first sense of `lemma`, or nil.
    public func firstSense(_ lemma: String) throws -> Int? { try wordNet.entry(lemma)?.synsets.first }

    /// The nearest of `groups` (synset id → name) at or above `classIndex`, or nil.
    public func group(of classIndex: Int, among groups: [Int: String]) throws -> String? {
        guard above.indices.contains(classIndex) else { return nil }
        guard let id = Int(labels.synsets[classIndex].dropFirst()) else { return nil }
        // Breadth-first upwards, so the nearest group wins ("Pekinese" → dog before animal).
        var frontier = [id], seen: Set<Int> = [id]
        while !frontier.isEmpty {
            if let hit = frontier.compactMap({ groups[$0] }).first { return hit }
            var next: [Int] = []
            for o in frontier { for h in try wordNet.synset(o).hypernyms where seen.insert(h).inserted { next.append(h) } }
            frontier = next
        }
        return nil
    }

    private func covered(by senses: Set<Int>) -> [Int] {
        above.indices.filter { !above[$0].isDisjoint(with: senses) }
    }
}
