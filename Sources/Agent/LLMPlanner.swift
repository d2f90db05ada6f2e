import Foundation
import LLM
import ToolSchema

/// The planner on Loupe's own GGUF engine. It chooses the turn's plan (`PlanChooser`), writes each plan step's
/// call under the grammar of that step's narrowed schema, and writes the answer in words. The prompt
/// (`PromptBuilder`) keeps the system turn — instructions and tools — the same on every step, so its KV cache
/// is computed once (in memory, and on disk under `cacheDirectory`). Without a plan (free mode) the reply may
/// call any tool or answer.
public final class LLMPlanner: Planner, @unchecked Sendable {
    public let model: LanguageModel
    public let prompts: PromptBuilder
    /// The prompt of a turn whose plan calls no skill (`skills/chat.md`, no tools), when there is one.
    public let chatPrompts: PromptBuilder?
    private let session: InferenceSession
    /// A KV cache of its own for the no-skill prompt, so neither system turn evicts the other.
    private let chatSession: InferenceSession?
    private let chooser: PlanChooser?
    private let exampleIndex: ExampleIndex?
    private let cacheDirectory: URL?
    /// Most tokens of a call, and of an answer.
    public var maxCallTokens = 200, maxAnswerTokens = 90
    /// Few-shot examples shown with a turn's request (`chatExampleCount` when no skill is called).
    public var exampleCount = 2, chatExampleCount = 1
    private let lock = NSLock()
    private var grammars: [String: ToolCallGrammar] = [:]

    /// `instructions` is the text of `skills/planner.md`; `chooser` picks the plan of each turn (nil: free mode);
    /// `examples` finds the few-shot examples for a request; `context` is the KV-cache length in tokens.
    /// `chat` (the text of `skills/chat.md`) is the system turn of answers that need no skill.
    public init(model: LanguageModel, instructions: String, texts: PromptTexts, chat: String? = nil, chooser: PlanChooser? = nil,
                examples: ExampleIndex? = nil, context: Int = 8192, cacheDirectory: URL? = nil) {
        self.model = model
        prompts = PromptBuilder(instructions: instructions, texts: texts)
        chatPrompts = chat.map { PromptBuilder(instructions: $0, texts: texts) }
        chatSession = chat == nil ? nil : InferenceSession(model: model, context: min(2048, model.config.contextLength))
        self.chooser = chooser
        exampleIndex = examples
        self.cacheDirectory = cacheDirectory
        session = InferenceSession(model: model, context: min(context, model.config.contextLength))
    }

    /// Reads a prompt file (prompts are data, not string literals in code).
    public static func instructions(from file: URL) throws -> String {
        guard let text = try? String(contentsOf: file, encoding: .utf8), !text.isEmpty else {
            throw AgentError.prompt(file: file.path, reason: "missing or empty (it holds the planner's instructions; it ships in the repository's skills/)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Computes (or restores from the disk cache) the system turn for `tools`, so the first request does not pay
    /// for it; returns whether it came from the cache, and the milliseconds taken.
    public func warmUp(tools: [ToolSpec]) throws -> (restored: Bool, milliseconds: Double) {
        try lock.withLock {
            let started = Date()
            var restored = true
            for (builder, session, tools) in [(prompts, session, tools)] + (chatPrompts.map { [($0, chatSession!, [ToolSpec]())] } ?? []) {
                let (_, system) = builder.render(PlannerRequest(tools: tools, examples: [], messages: [], allowTools: true), examples: [])
                let ids = model.tokenizer.encode(system, parseSpecial: true)
                if let dir = cacheDirectory { restored = try session.restoreOrSavePrefix(ids, directory: dir) && restored } else { _ = try session.evaluate(ids); restored = false }
            }
            return (restored, Date().timeIntervalSince(started) * 1000)
        }
    }

    public func choosePlan(for request: String) async throws -> PlanChooser.Choice? {
        try chooser?.choose(PromptBuilder.words(of: request))
    }

    public func plan(_ request: PlannerRequest, onText: @escaping @Sendable (String) -> Void, isCancelled: @escaping @Sendable () -> Bool) async throws -> PlannerDecision {
        // Seconds of matrix work: on a thread of its own, so the cooperative pool (two threads on this machine)
        // stays free for timers, pipes and the UI while the planner thinks.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PlannerDecision, any Error>) in
            let work = Work(planner: self, request: request, onText: onText, isCancelled: isCancelled, continuation: continuation)
            Thread.detachNewThread { work.run() }
        }
    }

    /// One planner step handed to its thread.
    private struct Work: @unchecked Sendable {
        let planner: LLMPlanner
        let request: PlannerRequest
        let onText: @Sendable (String) -> Void
        let isCancelled: @Sendable () -> Bool
        let continuation: CheckedContinuation<PlannerDecision, any Error>
        func run() {
            continuation.resume(with: Result {
                try planner.lock.withLock { try planner.planLocked(request, onText: onText, isCancelled: isCancelled) }
            })
        }
    }

    /// The examples of the current turn, chosen once per user message and plan (so every step of the turn has
    /// the same prompt prefix).
    private var turnExamples: (key: String, examples: [[FewShotExamples.Entry]])?

    private func examples(for request: PlannerRequest) throws -> [[FewShotExamples.Entry]] {
        guard let index = exampleIndex, let user = request.messages.last(where: { $0.role == .user }) else { return [] }
        let skills: [String]
        switch (request.plan, request.mode) {
        case let (plan?, _): skills = plan.skills
        case (nil, .call(let spec)): skills = [spec.name]
        case (nil, .answer): skills = []
        case (nil, .free): return []
        }
        let key = user.content + "\u{1}" + skills.joined(separator: ",")
        if let turnExamples, turnExamples.key == key { return turnExamples.examples }
        let count = skills.isEmpty ? chatExampleCount : request.plan?.examples ?? exampleCount
        let found = try index.nearest(to: PromptBuilder.words(of: user.content), skills: skills, count: count).map(\.entries)
        turnExamples = (key, found)
        return found
    }

    private func planLocked(_ request: PlannerRequest, onText: (String) -> Void, isCancelled: () -> Bool) throws -> PlannerDecision {
        let tokenizer = model.tokenizer
        // A turn that needs no skill is answered under its own system turn, without the tools.
        var request = request
        var (builder, session) = (prompts, self.session)
        if case .answer = request.mode, request.plan?.steps.isEmpty == true, let chat = chatPrompts, let chatSession {
            (builder, session) = (chat, chatSession)
            request.tools = []
        }
        let (text, system) = builder.render(request, examples: try examples(for: request))
        let ids = tokenizer.encode(text, parseSpecial: true)
        var generation = GenerationRequest(prompt: ids)
        // A reply ends where a small model starts inventing turns or examples; "[0.0, 0.0, 0.0, …" ends it too.
        generation.stop = ["<observation", "<tool_response>", "<example>", "</example>", "\nuser:", "\ntool:", "\nassistant:", "\n<"]
        generation.loopRepeats = 6
        var wordsOnly = false
        switch request.mode {
        case let .call(spec):
            generation.tools = .required(try grammar(for: [spec]))
            generation.callPrefix = PlanBinding.callPrefix(spec)
            generation.endAfterCall = true
            generation.maxTokens = maxCallTokens
        case .answer:
            wordsOnly = true
        case .free:
            if request.allowTools, !request.tools.isEmpty { generation.tools = .auto(try grammar(for: request.tools)) } else { wordsOnly = true }
            generation.maxTokens = maxCallTokens
        }
        if wordsOnly {
            // An answer in words: it may not open a call, nor write one later.
            generation.bannedAtStart = callOpenings()
            generation.stop.append(Self.callInWords)
            generation.maxTokens = maxAnswerTokens
        }
        guard ids.count + generation.maxTokens <= session.contextLimit else {
            throw AgentError.planner("the conversation (\(ids.count) tokens) no longer fits the context of \(session.contextLimit); /reset starts afresh")
        }
        if let dir = cacheDirectory {
            generation.cachePrefix = systemTokenCount(system)
            generation.cacheDirectory = dir
        }
        let result: GenerationResult
        do {
            result = try Generator(session: session).generate(generation, onText: wordsOnly ? onText : { _ in }, isCancelled: isCancelled)
        } catch {
            throw AgentError.planner("\(error)")
        }
        if result.finishReason == .cancelled { throw AgentError.cancelled }
        var timing = PlannerTiming()
        timing.promptTokens = result.promptTokens
        timing.promptComputed = result.promptComputed
        timing.promptMilliseconds = result.promptSeconds * 1000
        timing.generatedTokens = result.tokens.count
        timing.decodeMilliseconds = result.generationSeconds * 1000
        let parsed = ToolCallParser.parse(result.text)
        if wordsOnly {
            // Words then a call: the words, if any, are the answer.
            var answer = parsed.items.isEmpty ? result.text : parsed.text
            if let call = answer.range(of: Self.callInWords) { answer = String(answer[..<call.lowerBound]) }
            // A small model may repeat a line over and over: keep each line once.
            var seen = Set<String>()
            answer = answer.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
                line.trimmingCharacters(in: .whitespaces).isEmpty || seen.insert(String(line)).inserted
            }.joined(separator: "\n")
            while answer.hasSuffix("```") || answer.hasSuffix("\n") || answer.hasSuffix(" ") { answer.removeLast(answer.hasSuffix("```") ? 3 : 1) }
            // Cut off at the token limit: end at the last whole sentence, if there is one.
            if result.finishReason == .length, let end = answer.lastIndex(where: { ".!?".contains($0) }) { answer = String(answer[...end]) }
            return PlannerDecision(text: answer, timing: timing)
        }
        var decision = PlannerDecision(parsed: parsed, timing: timing)
        if case .call = request.mode { decision.calls = Array(decision.calls.prefix(1)) }
        return decision
    }

    private func grammar(for tools: [ToolSpec]) throws -> ToolCallGrammar {
        let key = tools.map { $0.name + "\u{1}" + $0.parameters.compactDescription }.joined(separator: "\u{2}")
        if let g = grammars[key] { return g }
        let made = try ToolCallGrammar(tools: tools, tokenizer: model.tokenizer)
        if grammars.count > 256 { grammars.removeAll() }
        grammars[key] = made
        return made
    }

    private var systemTokens: [String: Int] = [:]
    /// Tokens of a system turn, counted once (each is the same on every step).
    private func systemTokenCount(_ system: String) -> Int {
        if let n = systemTokens[system] { return n }
        let count = model.tokenizer.encode(system, parseSpecial: true).count
        if systemTokens.count > 8 { systemTokens.removeAll() }
        systemTokens[system] = count
        return count
    }

    /// Where a call written into an answer begins: the answer stops before it (and it is never streamed).
    static let callInWords = "{\"name\""

    private var openings: [Int32]?
    /// Tokens that would open a call or an invented turn: pieces starting with `{`, `[`, `<`, `>` or a code
    /// fence (special tokens such as `<tool_call>` included).
    private func callOpenings() -> [Int32] {
        if let openings { return openings }
        let tok = model.tokenizer
        var banned: [Int32] = []
        for id in 0..<Int32(tok.count) {
            let piece = String(decoding: tok.piece(id), as: UTF8.self).drop { $0 == " " || $0 == "\n" }
            if piece.hasPrefix("{") || piece.hasPrefix("```") || piece.hasPrefix("<") || piece.hasPrefix("[") || piece.hasPrefix(">") { banned.append(id) }
        }
        openings = banned
        return banned
    }
}
