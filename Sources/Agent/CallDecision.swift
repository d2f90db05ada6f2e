import Foundation
import LLM

/// The explicit choice DESIGN.md asks for between calling a skill and answering, at the first step of a turn.
/// Small Qwen models never open `<tool_call>` on their own and start JSON or prose for reasons of their own, so
/// the planner asks the model a yes/no question about the request (`skills/planner-decide.md`) on a small
/// session of its own and compares the scores of "yes" and "no".
struct CallDecision {
    let template: String
    private let session: InferenceSession
    private let yes: [Int32], no: [Int32]

    init(model: LanguageModel, template: String) {
        self.template = template
        session = InferenceSession(model: model, context: min(1024, model.config.contextLength))
        let tok = model.tokenizer
        // The first token of each spelling the model may use for its answer.
        func firsts(_ words: [String]) -> [Int32] { Array(Set(words.compactMap { tok.encode($0).first })) }
        yes = firsts(["yes", "Yes", " yes", " Yes", "YES"])
        no = firsts(["no", "No", " no", " No", "NO"])
    }

    /// log P(yes) − log P(no) for `request` (positive: call a skill), and the milliseconds it took.
    func score(request: String, imageAttached: Bool) throws -> (margin: Float, milliseconds: Double) {
        let started = Date()
        let question = template
            .replacingOccurrences(of: "{image}", with: imageAttached ? "The user has attached an image." : "No image is attached.")
            .replacingOccurrences(of: "{request}", with: String(request.prefix(600)))
        let prompt = ChatTemplate.render([ChatMessage(.user, question)], defaultSystem: nil)
        let ids = session.model.tokenizer.encode(prompt, parseSpecial: true)
        guard ids.count < session.contextLimit else { return (1, 0) }
        let logits = try session.evaluate(ids)
        let best = { (ids: [Int32]) in ids.map { logits[Int($0)] }.max() ?? -.infinity }
        return (best(yes) - best(no), Date().timeIntervalSince(started) * 1000)
    }
}
