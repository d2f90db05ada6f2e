import Agent
import Foundation
import Testing

/// The router with a word-count embedder (no weights): the nearest example phrase decides between calling
/// and answering, skills are ranked by their nearest phrase, and the examples shown put the best skill's first.
@Suite struct SkillRouterTests {
    /// Unit-length counts of words hashed into 64 buckets.
    struct WordEmbedder: TextEmbedder {
        func embed(_ text: String) throws -> [Float] {
            var v = [Float](repeating: 0, count: 64)
            for w in text.lowercased().split(whereSeparator: { !$0.isLetter }) { v[abs(w.hashValue) % 64] += 1 }
            let n = max(1e-6, v.reduce(0) { $0 + $1 * $1 }.squareRoot())
            return v.map { $0 / n }
        }
    }

    static let router: SkillRouter = {
        let ocr = FewShotExamples.parse("User: read the text on the sign\nCall: {\"name\": \"ocr\", \"arguments\": {}}\nAnswer: It says STOP.")
        let none = FewShotExamples.parse("User: hello there\nAnswer: Hello!\n\nUser: thank you very much\nAnswer: You're welcome.")
        return SkillRouter(embedder: WordEmbedder(),
                           skills: [("ocr", ["read the text on the sign", "what does the label say"]), ("detect", ["find the dog", "count the people"])],
                           noTool: ["hello there", "thank you very much"],
                           examples: ocr.map { (Optional("ocr"), $0) } + none.map { (nil, $0) })
    }()

    @Test func decidesBetweenCallingAndAnswering() throws {
        let read = try Self.router.route("please read the text on this sign")
        #expect(read.needsTool && read.ranked.first?.skill == "ocr")
        #expect(read.examples.first?.skill == "ocr")
        let count = try Self.router.route("count the people here")
        #expect(count.needsTool && count.ranked.first?.skill == "detect")
        let hello = try Self.router.route("hello there")
        #expect(!hello.needsTool && hello.noToolScore > 0.99)
        #expect(hello.examples.allSatisfy { $0.skill == nil }, "answers are shown answer examples")
    }

    @Test func phrasesComeFromDescriptionExamplesAndRequests() {
        let phrases = SkillRouter.phrases(description: "Read text.", examples: "User: what does it say\nCall: {}\nAnswer: x", extra: ["read the menu"])
        #expect(phrases == ["Read text.", "what does it say", "read the menu"])
    }
}
