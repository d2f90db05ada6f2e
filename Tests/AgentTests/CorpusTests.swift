import Agent
import Foundation
import Tensor
import TestSupport
import Testing

/// The instruction corpus: the template language expands as written, bad templates are refused with the
/// column, generation is reproducible and de-duplicated across plans, and a model's rewrite is kept only when
/// it keeps the request's words.
@Suite struct CorpusTests {
    @Test func templatesExpandChoicesOptionsAndSlots() throws {
        let t = try CorpusTemplate("(count|find) [all ]the {object+s} {place}")
        #expect(t.slots == ["object", "place"])
        let vocabulary = ["object": ["dog|dogs"], "place": ["on the left"]]
        var random = SeededRandom(seed: 1)
        var seen = Set<String>()
        for _ in 0..<60 { seen.insert(t.expand(vocabulary: vocabulary, random: &random).text) }
        #expect(seen == ["count the dogs on the left", "count all the dogs on the left", "find the dogs on the left", "find all the dogs on the left"])
        // One draw per slot name: {object} and {object+s} agree; {object#2} is drawn on its own.
        let two = try CorpusTemplate("is the {object} next to the {object#2}? I see {object+s}")
        var r2 = SeededRandom(seed: 3)
        let (text, words) = two.expand(vocabulary: ["object": ["cat|cats", "mouse|mice"]], random: &r2)
        #expect(words.count == 3 && text.hasSuffix("I see " + (words[0] == "cat" ? "cats" : "mice")), "\(text)")
    }

    @Test func badTemplatesSayWhere() {
        for bad in ["(a|b", "a)b", "[a", "{obj", "a|b", "{bad name}"] {
            #expect(throws: AgentError.self, "\(bad)") { _ = try CorpusTemplate(bad) }
        }
    }

    @Test func theShippedCorpusIsReproducibleAndDeduplicated() throws {
        let folder = Fixtures.skillsFolder.appendingPathComponent("corpus")
        let generator = try CorpusGenerator(folder: folder)
        let a = generator.generate(), b = generator.generate()
        #expect(a.map { $0.requests.map(\.text) } == b.map { $0.requests.map(\.text) })
        var owner: [String: String] = [:]
        for (plan, requests) in a {
            #expect(requests.count >= 50, "\(plan) has \(requests.count) requests")
            for r in requests {
                let key = CorpusGenerator.normalized(r.text)
                #expect(owner[key] == nil || owner[key] == plan, "\"\(r.text)\" is in \(plan) and \(owner[key] ?? "")")
                owner[key] = plan
            }
        }
        // The committed corpus was made by this generator (without ImageNet names it is a subset of what
        // `loupe corpus generate` wrote with them): the templates and the generated files agree.
        #expect(Set(a.map(\.plan)) == Set(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("generated").path)
            .map { ($0 as NSString).deletingPathExtension }))
    }

    @Test func variantsAreTypedDifferentlyButMeanTheSame() throws {
        let generator = try CorpusGenerator(folder: Fixtures.skillsFolder.appendingPathComponent("corpus"))
        let v = generator.variants(of: ["What are the main colours in this picture?"], count: 6, seed: 7)
        #expect(v.count == 6 && Set(v.map(CorpusGenerator.normalized)).count == 6)
        #expect(v.allSatisfy { $0.lowercased().contains("main") || $0.lowercased().contains("colo") }, "\(v)")
    }

    @Test func aRewriteMustKeepTheRequestsWords() {
        let request = CorpusGenerator.Request(text: "count the red cars on the left", words: ["red", "cars", "on the left"])
        #expect(CorpusParaphraser.accept("How many red cars are there on the left side?", for: request) != nil)
        #expect(CorpusParaphraser.accept("\"How many red cars are on the left?\"", for: request) == "How many red cars are on the left?")
        #expect(CorpusParaphraser.accept("How many cars are on the left?", for: request) == nil, "lost the colour")
        #expect(CorpusParaphraser.accept("count the red cars on the left", for: request) == nil, "the same request")
        #expect(CorpusParaphraser.accept("Sure!\nHow many red cars on the left?", for: request) == nil, "two lines")
        #expect(CorpusParaphraser.accept("", for: request) == nil)
    }
}
