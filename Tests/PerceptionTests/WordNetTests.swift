import Foundation
import Perception
import TestSupport
import Testing

/// WordNet's noun database (Debian's wordnet-base) and the ImageNet classes read through it.
@Suite struct WordNetTests {
    static let meaning: ImageNetMeaning = {
        let labels = try! ImageNetLabels(synsetsFile: Fixtures.modelPath("imagenet-labels", file: "imagenet_synsets.txt"),
                                         lemmasFile: Fixtures.modelPath("imagenet-labels", file: "imagenet_synset_to_lemma.txt"))
        return try! ImageNetMeaning(labels: labels, wordNet: WordNet())
    }()

    func names(_ classes: [Int]) -> [String] { classes.map { Self.meaning.labels.names[$0] } }

    @Test func readsEntriesSynsetsAndBaseForms() throws {
        let wn = Self.meaning.wordNet
        let dog = try #require(try wn.entry("dog"))
        #expect(dog.synsets.first == 2084071 && dog.tagged >= 1)
        let synset = try wn.synset(2084071)
        #expect(synset.words.contains("domestic dog") && !synset.hypernyms.isEmpty)
        #expect(try wn.entry("no such noun xyz") == nil)
        #expect(try wn.baseForms("geese") == ["goose"])
        #expect(try wn.baseForms("dishes").contains("dish"))
        #expect(try wn.baseForms("glasses").first == "glasses")
        #expect(try wn.entry("hot dog")?.synsets.isEmpty == false, "multi-word lemmas with spaces")
        // Chihuahua is a dog, and everything is an entity.
        #expect(try wn.ancestors(2085620).contains(2084071))
        #expect(try wn.ancestors(2085620).contains(1740))
    }

    @Test func dogCoversTheBreedsAndCatNotTheCatamaran() throws {
        let dog = try #require(try Self.meaning.match("dog"))
        let dogNames = names(dog.classes)
        #expect(dog.classes.count >= 110, "\(dog.classes.count) classes")
        #expect(dogNames.contains { $0.hasPrefix("Pekinese") } && dogNames.contains { $0.hasPrefix("golden retriever") })
        #expect(!dogNames.contains { $0.hasPrefix("hotdog") }, "the sausage is not a common sense of dog")
        let cat = try #require(try Self.meaning.match("cats"))
        #expect(names(cat.classes).contains { $0.hasPrefix("tabby") })
        #expect(!names(cat.classes).contains { $0.hasPrefix("catamaran") })
        #expect(names(try #require(try Self.meaning.match("fruit")).classes).contains { $0.hasPrefix("strawberry") })
        #expect(names(try #require(try Self.meaning.match("vehicles")).classes).contains { $0.hasPrefix("ambulance") })
        #expect(names(try #require(try Self.meaning.match("furniture")).classes).contains { $0.hasPrefix("rocking chair") })
        #expect(names(try #require(try Self.meaning.match("birds")).classes).contains { $0.hasPrefix("goldfinch") })
        // The animal has no class, so the computer mouse is meant.
        #expect(names(try #require(try Self.meaning.match("mouse")).classes).contains { $0.hasPrefix("mouse, computer mouse") })
        // Known words without a class, and unknown words.
        #expect(try Self.meaning.match("coin")?.classes == [])
        #expect(try Self.meaning.match("blorfle") == nil)
    }

    @Test func aWordWithNoClassTakesTheClassesOfItsDefinition() throws {
        let wn = Self.meaning.wordNet
        let kitten = try wn.synset(try #require(try wn.entry("kitten")).synsets[0])
        #expect(kitten.definition == "young domestic cat" && kitten.lexicographerFile == 5, "noun.animal")
        // "puppy" is filed under young mammals, not dogs, so no class falls under it; its definition says "a young dog".
        #expect(try Self.meaning.match("puppies")?.classes.isEmpty == true)
        let puppy = try #require(try Self.meaning.defined("puppy"))
        #expect(puppy.through == "dog" && names(puppy.classes).contains { $0.hasPrefix("golden retriever") })
        // Two-word nouns first: "young domestic cat" → "domestic cat", the house cats.
        let kittens = try #require(try Self.meaning.defined("kitten"))
        #expect(kittens.through == "domestic cat" && names(kittens.classes).contains { $0.hasPrefix("tabby") } && !names(kittens.classes).contains { $0.hasPrefix("lion") })
        // A noun the word falls under says nothing more: a raccoon is "…a nocturnal mammal…", not every mammal.
        #expect(try Self.meaning.defined("raccoon") == nil)
        // A coin is money (noun.possession): "disc" in its definition is an artifact, so it gives no class.
        #expect(try Self.meaning.defined("coin") == nil)
    }

    @Test func namesGroupsAndPeople() throws {
        let wn = Self.meaning.wordNet
        let groups = [try #require(try wn.entry("dog")).synsets[0]: "dog", try #require(try wn.entry("animal")).synsets[0]: "animal"]
        let pekinese = try #require(Self.meaning.labels.names.firstIndex { $0.hasPrefix("Pekinese") })
        #expect(try Self.meaning.group(of: pekinese, among: groups) == "dog")
        let jaguar = try #require(Self.meaning.labels.names.firstIndex { $0.hasPrefix("jaguar") })
        #expect(try Self.meaning.group(of: jaguar, among: groups) == "animal")
        let person = try #require(try Self.meaning.firstSense("person"))
        #expect(try Self.meaning.word("women", isKindOf: person))
        #expect(try Self.meaning.word("pedestrian", isKindOf: person))
        #expect(try Self.meaning.word("divers", isKindOf: person), "covers only the scuba diver, a person")
        #expect(try !Self.meaning.word("sheep", isKindOf: person))
        #expect(try !Self.meaning.word("whale", isKindOf: person), "first sense a large person, but covers the whales")
        #expect(try !Self.meaning.word("crane", isKindOf: person))
    }

    @Test func damagedFilesAreClearErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wordnet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: PerceptionError.self) { try WordNet(directory: dir.path) }
        try Data("dog n 1 0 1 1 99999999\n".utf8).write(to: dir.appendingPathComponent("index.noun"))
        try Data("00000000 03 n 01 x 0 000 | y\n".utf8).write(to: dir.appendingPathComponent("data.noun"))
        let wn = try WordNet(directory: dir.path)
        do { _ = try wn.entry("dog"); Issue.record("offset outside the file accepted") } catch let e as PerceptionError {
            #expect(e.description.contains("index.noun") && e.description.contains("outside"))
        }
        #expect(throws: PerceptionError.self) { try wn.synset(5) }
    }
}
