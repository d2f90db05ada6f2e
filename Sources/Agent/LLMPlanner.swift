import Foundation
import LLM
import ToolSchema

/// The planner on Loupe's own GGUF engine. The system turn is the instructions from `skills/planner.md`, the
/// few-shot examples of every available skill and the tools block (Qwen's Hermes format); it is the same on
/// every step and turn, so its KV cache is computed once (kept in memory by the inference session, and on disk
/// under `cacheDirectory`). At the first step of a turn the model is asked whether the request needs a tool
/// (`CallDecision`); yes forces a call, decoded under the grammar of the skills' schemas, no makes the step an
/// answer. Later steps decode under the grammar when the reply opens `<tool_call>` or begins with a JSON object,
/// and anything else is the answer.
public final class LLMPlanner: Planner, @unchecked Sendable {
    public let model: LanguageModel
    private let session: InferenceSession
    private let instructions: String
    private let cacheDirectory: URL?
    /// Most tokens per step.
    public var maxTokens = 320
    private let lock = NSLock()
    private var grammar: (names: [String], grammar: ToolCallGrammar)?
    private let decision: CallDecision?

    /// `instructions` is the text of `skills/planner.md`; `decideTemplate` that of `skills/planner-decide.md`
    /// (nil: let the model's reply decide); `context` the KV-cache length in tokens.
    public init(model: LanguageModel, instructions: String, decideTemplate: String? = nil, context: Int = 8192, cacheDirectory: URL? = nil) {
        self.model = model
        self.instructions = instructions
        self.cacheDirectory = cacheDirectory
        session = InferenceSession(model: model, context: min(context, model.config.contextLength))
        decision = decideTemplate.map { CallDecision(model: model, template: $0) }
    }

    /// Reads the planner's instructions (a data file, so prompts are not string literals in code).
    public static func instructions(from file: URL) throws -> String {
        guard let text = try? String(contentsOf: file, encoding: .utf8), !text.isEmpty else {
            throw AgentError.prompt(file: file.path, reason: "missing or empty (it holds the planner's instructions; it ships in the repository's skills/)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The system turn: instructions, then each skill's examples in the planner's own format.
    public func systemPrompt(examples: [(skill: String, text: String)]) -> String {
        var out = instructions
        let rendered = examples.flatMap { FewShotExamples.parse($0.text) }.map(FewShotExamples.render)
        if !rendered.isEmpty {
            out += "\n\n# Examples\n\n" + rendered.map { "<example>\n\($0)\n</example>" }.joined(separator: "\n\n")
        }
        return out
    }

    /// The whole prompt of a step, as text (for tests and `--verbose`).
    public func prompt(for request: PlannerRequest) -> (text: String, system: String) {
        let system = systemPrompt(examples: request.examples)
        var chat = [ChatMessage(.system, system)]
        for m in request.messages {
            switch m.role {
            case .user: chat.append(ChatMessage(.user, m.content))
            case .assistant: chat.append(ChatMessage(.assistant, m.content, toolCalls: m.calls))
            case .tool: chat.append(ChatMessage(.tool, m.content))
            }
        }
        let text = ChatTemplate.render(chat, tools: request.tools)
        let systemOnly = ChatTemplate.render([chat[0]], tools: request.tools, addGenerationPrompt: false)
        return (text, systemOnly)
    }

    public func plan(_ request: PlannerRequest, onText: @Sendable (String) -> Void, isCancelled: @Sendable () -> Bool) async throws -> PlannerDecision {
        try lock.withLock { try planLocked(request, onText: onText, isCancelled: isCancelled) }
    }

    private func planLocked(_ request: PlannerRequest, onText: (String) -> Void, isCancelled: () -> Bool) throws -> PlannerDecision {
        let tokenizer = model.tokenizer
        let (text, systemOnly) = prompt(for: request)
        let ids = tokenizer.encode(text, parseSpecial: true)
        guard ids.count + maxTokens <= session.contextLimit else {
            throw AgentError.planner("the conversation (\(ids.count) tokens) no longer fits the context of \(session.contextLimit); /reset starts afresh")
        }
        var generation = GenerationRequest(prompt: ids)
        generation.maxTokens = maxTokens
        var timing = PlannerTiming()
        if request.allowTools, !request.tools.isEmpty {
            let grammar = try grammar(for: request.tools)
            generation.tools = .auto(grammar)
            // First step of a turn: decide explicitly between calling and answering.
            if let decision, let user = request.messages.last, user.role == .user {
                let attached = request.messages.contains { $0.role == .user && $0.content.hasPrefix("[image img0 attached") }
                let (margin, ms) = try decision.score(request: user.content, imageAttached: attached)
                timing.decisionMargin = Double(margin)
                timing.decisionMilliseconds = ms
                generation.tools = margin > 0 ? .required(grammar) : .none
            }
        }
        if let dir = cacheDirectory {
            generation.cachePrefix = tokenizer.encode(systemOnly, parseSpecial: true).count
            generation.cacheDirectory = dir
        }
        let result: GenerationResult
        do {
            result = try Generator(session: session).generate(generation, onText: onText, isCancelled: isCancelled)
        } catch {
            throw AgentError.planner("\(error)")
        }
        if result.finishReason == .cancelled { throw AgentError.cancelled }
        timing.promptTokens = result.promptTokens
        timing.promptComputed = result.promptComputed
        timing.promptMilliseconds = result.promptSeconds * 1000
        timing.generatedTokens = result.tokens.count
        timing.decodeMilliseconds = result.generationSeconds * 1000
        let parsed = ToolCallParser.parse(result.text)
        // Told to answer, a small model may still write a call: that is no answer (the loop then summarises).
        let answersOnly: Bool
        if case .none = generation.tools { answersOnly = true } else { answersOnly = false }
        if answersOnly {
            let looksLikeCall = result.text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{")
            return PlannerDecision(text: parsed.items.isEmpty && !looksLikeCall ? result.text : parsed.text, timing: timing)
        }
        let malformed = parsed.items.compactMap { item -> String? in
            if case let .malformed(text, reason) = item { return "the call \(text.prefix(200).debugDescription) cannot be read: \(reason)" }
            return nil
        }
        return PlannerDecision(text: parsed.text, calls: parsed.calls, malformed: malformed, timing: timing)
    }

    private func grammar(for tools: [ToolSpec]) throws -> ToolCallGrammar {
        let names = tools.map(\.name)
        if let g = grammar, g.names == names { return g.grammar }
        let made = try ToolCallGrammar(tools: tools, tokenizer: model.tokenizer)
        grammar = (names, made)
        return made
    }
}
