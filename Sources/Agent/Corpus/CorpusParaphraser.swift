import Foundation
import LLM

/// Self-instruct for the corpus: a language model rewrites generated requests in other words (sampled, so
/// each rewrite differs), and a rewrite is kept only if it is one line of sensible length, differs from the
/// request, and still contains every vocabulary word the request was made with (the object, colour, …), so the
/// plan it teaches stays right.
public struct CorpusParaphraser {
    public let model: LanguageModel
    /// The instruction (`skills/corpus/paraphrase.md`).
    public let instruction: String
    public var temperature: Float = 0.9
    public var maxTokens = 48

    public init(model: LanguageModel, instruction: String) { (self.model, self.instruction) = (model, instruction) }

    /// A rewrite of `request`, or nil when the model's reply fails the checks.
    public func paraphrase(_ request: CorpusGenerator.Request, seed: UInt64, session: InferenceSession) throws -> String? {
        let prompt = ChatTemplate.render([ChatMessage(.system, instruction), ChatMessage(.user, "Request: " + request.text)])
        var g = GenerationRequest(prompt: model.tokenizer.encode(prompt, parseSpecial: true))
        g.maxTokens = maxTokens
        g.sampling = SamplingParameters(temperature: temperature, topK: 40, topP: 0.95, minP: 0.05, seed: seed)
        g.stop = ["\n"]
        let reply = try Generator(session: session).generate(g).text
        return Self.accept(reply, for: request, rejectOpenings: rejectOpenings)
    }

    /// Openings that show the model answered instead of rewriting (`vocabulary/reject_opening.txt`).
    public var rejectOpenings: [String] = []

    /// The checks on a model's rewrite: the cleaned rewrite, or nil.
    public static func accept(_ reply: String, for request: CorpusGenerator.Request, rejectOpenings: [String] = []) -> String? {
        var text = reply.trimmingCharacters(in: .whitespacesAndNewlines)
        for prefix in ["Request:", "Rewritten request:", "Rewritten:"] where text.hasPrefix(prefix) {
            text = String(text.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        }
        if text.count >= 2, let f = text.first, let l = text.last, "\"'“".contains(f), "\"'”".contains(l) { text = String(text.dropFirst().dropLast()) }
        guard text.count >= 3, text.count <= 220, !text.contains("\n"),
              CorpusGenerator.normalized(text) != CorpusGenerator.normalized(request.text) else { return nil }
        let lower = text.lowercased()
        if rejectOpenings.contains(where: { lower.hasPrefix($0.lowercased()) }) { return nil }
        // Each vocabulary word kept (its first four letters, so "dogs" keeps "dog" and "puppies" keeps "puppy").
        for word in request.words {
            let stem = String(word.lowercased().prefix(max(3, min(4, word.count))))
            guard lower.contains(stem) else { return nil }
        }
        return text
    }
}
