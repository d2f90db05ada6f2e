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
        /// The word of the lemma's definition the classes came from, when none falls under the lemma itself
        /// ("puppy", defined as "a young dog", → "dog"); nil when they are the lemma's own.
        public var through: String? = nil
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

    /// For a lemma that covers no class: the classes of the first noun in a definition of `lemma` that covers
    /// any, taking only that noun's senses filed under the same lexicographer file as the defined sense and not
    /// more than two steps above it: no class falls under "puppy" (it is a kind of dog and of young mammal), but
    /// it is defined as "a young dog" (both noun.animal); "raccoon", "an omnivorous nocturnal mammal…", has none
    /// ("mammal", four steps above it, says only "some mammal"); "coin", "a flat metal piece (usually a disc)
    /// used as money", is noun.possession, and no sense of "disc" there covers a class. At each word of the
    /// definition the two-word noun it starts is tried before the word alone ("young domestic cat" → "young",
    /// then "domestic cat").
    public func defined(_ lemma: String) throws -> Match? {
        guard let entry = try wordNet.entry(lemma) else { return nil }
        // Every sense in WordNet's order: the tagged ones first ("kitten" has one; "raccoon"'s first is its fur).
        for sense in entry.synsets {
            let synset = try wordNet.synset(sense)
            let above = try wordNet.ancestors(sense)
            var close = Set(synset.hypernyms)
            for h in close { close.formUnion(try wordNet.synset(h).hypernyms) }   // two steps up
            let words = synset.definition.lowercased().split { !$0.isLetter && $0 != "-" }.map(String.init)
            for i in words.indices {
                for length in [2, 1] where i + length <= words.count {
                    let phrase = words[i..<(i + length)].joined(separator: " ")
                    guard phrase != lemma else { continue }
                    for base in try wordNet.baseForms(phrase) {
                        guard let e = try wordNet.entry(base) else { continue }
                        // A noun the defined sense falls under only when it is close (a puppy is a dog): "mammal",
                        // four steps above a raccoon, says no more than "some mammal", and would let any mammal in
                        // the photo answer for it.
                        let senses = try e.synsets.filter {
                            try wordNet.synset($0).lexicographerFile == synset.lexicographerFile && (!above.contains($0) || close.contains($0))
                        }
                        let classes = covered(by: Set(senses))
                        if !classes.isEmpty { return Match(lemma: lemma, classes: classes, through: base.replacingOccurrences(of: "_", with: " ")) }
                    }
                }
            }
        }
        return nil
    }

    /// Whether `word` means a kind of the synset `offset` (e.g. person's, 00007846): its first sense falls under
    /// it, and so does every class any of its senses covers ("whale" is first a very large person in WordNet,
    /// but it covers the whale classes, so it is not a person word; "diver" covers only the scuba diver).
    public func word(_ word: String, isKindOf offset: Int) throws -> Bool {
        try kind(of: word, under: offset) == .only
    }

    /// How `word` relates to the synset `offset`.
    public enum Kind: Sendable, Equatable {
        /// Its first sense is not under it.
        case no
        /// Its first sense is under it, and so is every class any of its senses covers.
        case only
        /// Its first sense is under it, but another sense covers classes that are not ("speaker": a person
        /// who speaks, and the loudspeaker class): what the image holds decides.
        case mostly
    }

    /// Whether `word`'s first sense falls under `offset`, and whether other senses name classes outside it.
    public func kind(of word: String, under offset: Int) throws -> Kind {
        for lemma in try wordNet.baseForms(word) {
            guard let entry = try wordNet.entry(lemma), let first = entry.synsets.first else { continue }
            guard try wordNet.ancestors(first).contains(offset) else { return .no }
            // "whale" is first a very large person, but its own senses cover the whale classes: not a person word.
            let classes = covered(by: Set(entry.synsets))
            let outside = classes.filter { !above[$0].contains(offset) }
            if outside.isEmpty { return .only }
            // A person sense beside an animal's is a figure of speech ("whale", "bear"): the animal is meant.
            // Beside a thing's ("speaker", "coach"), either may be.
            for c in outside {
                guard let id = Int(labels.synsets[c].dropFirst()), try wordNet.synset(id).lexicographerFile != Self.animalFile else { return .no }
            }
            return .mostly
        }
        return .no
    }

    /// WordNet's lexicographer file of animals (noun.animal).
    static let animalFile = 5

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
