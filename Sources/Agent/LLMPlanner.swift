import Foundation
import LLM
import ToolSchema

/// The planner on Loupe's own GGUF engine. The system turn is the instructions from `skills/planner.md`, the
/// few-shot examples of every available skill and the tools block (Qwen's Hermes format); it is the same on
/// every step and turn, so its KV cache is computed once (kept in memory by the inference session, and on disk
/// under `cacheDirectory`). At the first step of a turn the `SkillRouter` decides whether the request needs a
/// skill: yes forces a call among the best-ranked skills, decoded under the grammar of their schemas; no makes
/// the step an answer. Later steps decode under the grammar when the reply opens `<tool_call>` or begins with a JSON object,
/// and anything else is the answer.
public final class LLMPlanner: Planner, @unchecked Sendable {
    public let model: LanguageModel
    private let session: InferenceSession
    private let instructions: String
    private let directExamples: String
    private let cacheDirectory: URL?
    /// Most tokens per step.
    public var maxTokens = 320
    private let lock = NSLock()
    private var grammars: [[String]: ToolCallGrammar] = [:]
    private let router: SkillRouter?
    /// How many of the router's best skills the calls of a turn may choose from.
    public var firstCallChoices = 3

    /// `instructions` is the text of `skills/planner.md`; `router` makes the call-or-answer choice at the first
    /// step of a turn (nil: the model's reply decides); `context` is the KV-cache length in tokens.
    /// `directExamples` (the text of `skills/no-tool.md`) shows answers that need no skill.
    public init(model: LanguageModel, instructions: String, directExamples: String = "", router: SkillRouter? = nil, context: Int = 8192,
                cacheDirectory: URL? = nil) {
        self.model = model
        self.instructions = instructions
        self.directExamples = directExamples
        self.router = router
        self.cacheDirectory = cacheDirectory
        session = InferenceSession(model: model, context: min(context, model.config.contextLength))
    }

    /// Reads the planner's instructions (a data file, so prompts are not string literals in code).
    public static func instructions(from file: URL) throws -> String {
        guard let text = try? String(contentsOf: file, encoding: .utf8), !text.isEmpty else {
            throw AgentError.prompt(file: file.path, reason: "missing or empty (it holds the planner's instructions; it ships in the repository's skills/)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The system turn: the instructions and, when there is no router to pick examples per request, every
    /// skill's examples in the planner's own format.
    public func systemPrompt(examples: [(skill: String, text: String)]) -> String {
        guard router == nil else { return instructions }
        var out = instructions
        let rendered = (examples.map(\.text) + [directExamples]).flatMap { FewShotExamples.parse($0) }.map(FewShotExamples.render)
        if !rendered.isEmpty {
            out += "\n\n# Examples\n\n" + rendered.map { "<example>\n\($0)\n</example>" }.joined(separator: "\n\n")
        }
        return out
    }

    /// The whole prompt of a step, as text, and the system turn alone. With a router, the turn's user message
    /// carries the examples nearest to it (the system turn stays the same, so its cache holds).
    public func prompt(for request: PlannerRequest, route: SkillRouter.Route? = nil) -> (text: String, system: String) {
        let system = systemPrompt(examples: request.examples)
        var chat = [ChatMessage(.system, system)]
        let turnStart = request.messages.lastIndex { $0.role == .user } ?? 0
        // Earlier turns stay out of the prompt: a small planner copies their answers. What they made stays
        // reachable through a note listing the handles of images and masks made so far.
        var messages = Array(request.messages[turnStart...])
        let earlier = request.messages[..<turnStart].filter { $0.role == .tool }.flatMap { m in
            m.content.split(separator: "\n").filter { line in
                (line.hasPrefix("img") || line.hasPrefix("mask")) && line.contains(": ") && line.first(where: \.isNumber) != nil
            }
        }
        if !earlier.isEmpty, !messages.isEmpty {
            messages[0].content = "[made earlier in this session: \(earlier.joined(separator: "; "))]\n" + messages[0].content
        }
        // The image note of the turn that attached the image goes with every later turn too.
        let note = request.messages[..<turnStart].last { $0.role == .user && $0.content.hasPrefix("[image img0 attached") }?
            .content.split(separator: "\n").first.map(String.init)
        if let note, !messages.isEmpty, !messages[0].content.contains("[image img0 attached") {
            messages[0].content = note + "\n" + messages[0].content
        }
        for (i, m) in messages.enumerated() {
            switch m.role {
            case .user:
                var content = m.content
                if i == 0, let route, !route.examples.isEmpty {
                    // Nearest last: a small planner follows the example closest to the request most.
                    let shown = route.examples.reversed().map { "<example>\n\(FewShotExamples.render($0.example))\n</example>" }.joined(separator: "\n")
                    content = "Examples of similar requests:\n\(shown)\n\nNow the real request.\n\(m.content)"
                }
                chat.append(ChatMessage(.user, content))
            case .assistant: chat.append(ChatMessage(.assistant, m.content, toolCalls: m.calls))
            case .tool: chat.append(ChatMessage(.tool, m.content))
            }
        }
        let text = ChatTemplate.render(chat, tools: request.tools)
        let systemOnly = ChatTemplate.render([chat[0]], tools: request.tools, addGenerationPrompt: false)
        return (text, systemOnly)
    }

    /// Computes (or restores from the disk cache) the system turn for `tools`, so the first request does not pay
    /// for it; returns whether it came from the cache, and the milliseconds taken.
    public func warmUp(tools: [ToolSpec]) throws -> (restored: Bool, milliseconds: Double) {
        try lock.withLock {
            let started = Date()
            let (_, systemOnly) = prompt(for: PlannerRequest(tools: tools, examples: [], messages: [], allowTools: true))
            let ids = model.tokenizer.encode(systemOnly, parseSpecial: true)
            var restored = false
            if let dir = cacheDirectory { restored = try session.restoreOrSavePrefix(ids, directory: dir) } else { _ = try session.evaluate(ids) }
            return (restored, Date().timeIntervalSince(started) * 1000)
        }
    }

    /// The route of the current turn, computed once per user message.
    private var turnRoute: (message: String, route: SkillRouter.Route)?

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

    private func planLocked(_ request: PlannerRequest, onText: (String) -> Void, isCancelled: () -> Bool) throws -> PlannerDecision {
        let tokenizer = model.tokenizer
        var timing = PlannerTiming()
        var route: SkillRouter.Route?
        let firstStep = request.messages.last?.role == .user
        if let router, let user = request.messages.last(where: { $0.role == .user }) {
            if let cached = turnRoute, cached.message == user.content, !firstStep {
                route = cached.route
            } else {
                let made = try router.route(Self.words(of: user.content))
                turnRoute = (user.content, made)
                route = made
                timing.route = made
            }
        }
        let (text, systemOnly) = prompt(for: request, route: route)
        let ids = tokenizer.encode(text, parseSpecial: true)
        guard ids.count + maxTokens <= session.contextLimit else {
            throw AgentError.planner("the conversation (\(ids.count) tokens) no longer fits the context of \(session.contextLimit); /reset starts afresh")
        }
        var generation = GenerationRequest(prompt: ids)
        generation.maxTokens = maxTokens
        if request.allowTools, !request.tools.isEmpty {
            // The router's best skills for this turn are the ones the planner may call; at the first step it also
            // decides between calling (forced) and answering.
            var choices = request.tools
            if let route, route.needsTool {
                let allowed = Set(route.ranked.prefix(firstCallChoices).map(\.skill))
                let kept = request.tools.filter { allowed.contains($0.name) }
                if !kept.isEmpty { choices = kept }
            }
            let grammar = try grammar(for: choices)
            generation.tools = .auto(grammar)
            if let route, firstStep { generation.tools = route.needsTool ? .required(grammar) : .none }
            // Later steps: the skill that matches the request best must have been called before the turn may end
            // (after `detect`, "blur every face" still needs `edit`).
            if let route, !firstStep, route.needsTool, let best = route.ranked.first?.skill,
               let turnStart = request.messages.lastIndex(where: { $0.role == .user }),
               !request.messages[turnStart...].contains(where: { $0.calls.contains { $0.name == best } }),
               let spec = request.tools.first(where: { $0.name == best }) {
                generation.tools = .required(try self.grammar(for: [spec]))
            }
        }
        // A reply ends where a small model starts inventing turns or examples.
        // "[0.0, 0.0, 0.0, …" to the token limit: a loop ends the reply.
        generation.loopRepeats = 6
        generation.stop = ["<observation", "<tool_response>", "<example>", "</example>", "\nuser:", "\ntool:", "\nassistant:", "\n<"]
        if case .none = generation.tools {
            // An answer in words: it may not open a call, nor write one later.
            generation.bannedAtStart = callOpenings()
            generation.stop.append(Self.callInWords)
        }
        if let route { generation.logitBias = copyBias(examples: route.examples.map(\.example), turn: request.messages) }
        if let dir = cacheDirectory {
            generation.cachePrefix = systemTokenCount(systemOnly)
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
            // Words then a call (`>{"name": …}`): the words, if any, are the answer.
            var answer = parsed.items.isEmpty ? result.text : parsed.text
            if let call = answer.range(of: "{\"name\"") { answer = String(answer[..<call.lowerBound]) }
            if answer.trimmingCharacters(in: .whitespacesAndNewlines).count < 2 { answer = "" }
            // A small model may repeat a line over and over: keep each line once.
            var seen = Set<String>()
            answer = answer.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
                line.trimmingCharacters(in: .whitespaces).isEmpty || seen.insert(String(line)).inserted
            }.joined(separator: "\n")
            // Small models sometimes close an answer with a stray code fence.
            while answer.hasSuffix("```") || answer.hasSuffix("\n") || answer.hasSuffix(" ") { answer.removeLast(answer.hasSuffix("```") ? 3 : 1) }
            return PlannerDecision(text: answer, timing: timing)
        }
        let malformed = parsed.items.compactMap { item -> String? in
            if case let .malformed(text, reason) = item { return "the call \(text.prefix(200).debugDescription) cannot be read: \(reason)" }
            return nil
        }
        return PlannerDecision(text: parsed.text, calls: parsed.calls, malformed: malformed, timing: timing)
    }

    private func grammar(for tools: [ToolSpec]) throws -> ToolCallGrammar {
        let names = tools.map(\.name)
        if let g = grammars[names] { return g }
        let made = try ToolCallGrammar(tools: tools, tokenizer: model.tokenizer)
        grammars[names] = made
        return made
    }

    private var systemTokens: (text: String, count: Int)?
    /// Tokens of the system turn, counted once (it is the same on every step).
    private func systemTokenCount(_ system: String) -> Int {
        if let systemTokens, systemTokens.text == system { return systemTokens.count }
        let count = model.tokenizer.encode(system, parseSpecial: true).count
        systemTokens = (system, count)
        return count
    }

    /// How much less likely a word of the examples' answers becomes when nothing in the turn says it.
    public var copyPenalty: Float = 2

    /// A small planner copies the nearest example's answer ("Yes, there is a plane in the lower middle"), words
    /// and all. Words (of three letters or more) that the shown examples' answers use but that neither the
    /// request nor an observation of this turn contains are made `copyPenalty` less likely in free text.
    public func copyBias(examples: [[FewShotExamples.Entry]], turn messages: [AgentMessage]) -> [(token: Int32, bias: Float)] {
        guard copyPenalty > 0 else { return [] }
        let answers = examples.flatMap { $0.compactMap { if case let .answer(t) = $0 { t } else { nil } } }
        guard !answers.isEmpty else { return [] }
        let turnStart = messages.lastIndex { $0.role == .user } ?? 0
        let said = Set(Self.words(in: messages[turnStart...].map(\.content).joined(separator: " ")))
        let copied = Set(answers.flatMap(Self.words)).subtracting(said)
        let index = wordTokens()
        return copied.flatMap { index[$0] ?? [] }.map { ($0, -copyPenalty) }
    }

    /// Lower-cased words of three letters or more.
    static func words(in text: String) -> [String] {
        text.lowercased().split { !$0.isLetter }.filter { $0.count >= 3 }.map(String.init)
    }

    private var wordIndex: [String: [Int32]]?
    /// The vocabulary's whole-word pieces (letters only, three or more, a leading space dropped) by lower-cased
    /// word: " Plane", "plane" and " plane" all under "plane". Built once.
    private func wordTokens() -> [String: [Int32]] {
        if let wordIndex { return wordIndex }
        let tok = model.tokenizer
        var index: [String: [Int32]] = [:]
        for id in 0..<Int32(tok.count) {
            let piece = String(decoding: tok.piece(id), as: UTF8.self)
            let word = piece.hasPrefix(" ") ? piece.dropFirst() : Substring(piece)
            if word.count >= 3, word.allSatisfy(\.isLetter) { index[word.lowercased(), default: []].append(id) }
        }
        wordIndex = index
        return index
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

    /// The user's words without Loupe's notes (`[image img0 attached, …]` lines).
    static func words(of message: String) -> String {
        message.split(separator: "\n").filter { !($0.hasPrefix("[") && $0.hasSuffix("]")) }.joined(separator: "\n")
    }
}
