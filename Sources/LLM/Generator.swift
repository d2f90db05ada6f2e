import Foundation
import Tokenizers
import ToolSchema

/// What a generation should do.
public struct GenerationRequest: Sendable {
    /// Prompt token ids.
    public var prompt: [Int32]
    public var maxTokens: Int = 256
    public var sampling: SamplingParameters = .greedy
    /// Generation stops before the first occurrence of any of these (not included in the text).
    public var stop: [String] = []
    /// Tool calls: none, when the model starts one (`<tool_call>` or a bare `{`), or always at the start.
    public var tools: ToolMode = .none
    /// Tokens the reply may not start with (e.g. the openings of a JSON call when the step must answer in words).
    public var bannedAtStart: [Int32] = []
    /// Added to these tokens' logits wherever the text is free (not inside a constrained call).
    public var logitBias: [(token: Int32, bias: Float)] = []
    /// Stop once free text ends in the same cycle of 1–8 tokens this many times over ("0.0, 0.0, 0.0, …");
    /// 0 or 1: never.
    public var loopRepeats: Int = 0
    /// With `.required`: text the call's JSON starts with (e.g. `{"name": "ocr", "arguments": {"image": "img0",`),
    /// evaluated in one batch instead of token by token; it must be a prefix the grammar accepts.
    public var callPrefix = ""
    /// End the reply as soon as the first tool call's JSON is complete (its closing tag is added as text, not
    /// computed): for a step that must make exactly one call.
    public var endAfterCall = false
    /// How many leading prompt tokens to keep in the on-disk prompt cache (0: none).
    public var cachePrefix: Int = 0
    public var cacheDirectory: URL?

    public enum ToolMode: Sendable {
        case none
        /// Constrain a call when the model opens one with `<tool_call>`, or begins its reply (or the text
        /// after a call) with a JSON object, which is then rewritten as `<tool_call>\n{…`.
        case auto(ToolCallGrammar)
        /// Start the reply with a constrained call (later calls as in `auto`).
        case required(ToolCallGrammar)
    }

    public init(prompt: [Int32]) { self.prompt = prompt }
}

/// Why generation ended.
public enum FinishReason: String, Sendable {
    case endOfGeneration = "end", stopString = "stop", length, cancelled
    /// The text went round a short loop (`GenerationRequest.loopRepeats`).
    case repetition
}

/// What came out, with timings.
public struct GenerationResult: Sendable {
    public var text: String
    public var tokens: [Int32]
    public var finishReason: FinishReason
    public var promptTokens: Int
    /// Prompt tokens actually computed (the rest came from the cache).
    public var promptComputed: Int
    public var promptSeconds: Double
    public var generationSeconds: Double
    /// Time spent building token masks for constrained decoding, and how many steps were constrained.
    public var maskSeconds: Double
    public var constrainedSteps: Int

    public var generatedTokensPerSecond: Double { generationSeconds > 0 ? Double(tokens.count) / generationSeconds : 0 }
    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptComputed) / promptSeconds : 0 }
    public var maskMillisecondsPerStep: Double { constrainedSteps > 0 ? maskSeconds * 1000 / Double(constrainedSteps) : 0 }
}

/// Runs the decode loop: sampling, stop strings, streaming text that never splits a character or shows the
/// start of a stop string, and grammar-constrained tool calls.
public struct Generator {
    /// Whether `tokens` end in a cycle of 1–8 tokens repeated `repeats` times in a row.
    public static func endsInLoop(_ tokens: [Int32], repeats: Int) -> Bool {
        guard repeats > 1 else { return false }
        for period in 1...8 where period * repeats <= tokens.count {
            let tail = tokens.count - period * repeats
            var looped = true
            for i in (tail + period)..<tokens.count where tokens[i] != tokens[i - period] { looped = false; break }
            if looped { return true }
        }
        return false
    }

    public let session: InferenceSession

    public init(session: InferenceSession) { self.session = session }

    /// Generates; `onText` receives text as it becomes final; `isCancelled` is polled between tokens.
    public func generate(_ request: GenerationRequest, onText: (String) -> Void = { _ in },
                         isCancelled: () -> Bool = { false }) throws -> GenerationResult {
        try request.sampling.validate()
        guard request.maxTokens >= 0 else { throw LLMError.invalidArgument("max tokens must be ≥ 0") }
        let tokenizer = session.model.tokenizer
        let clock = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        let t0 = clock()
        var prefixComputed = 0
        if request.cachePrefix > 0, let dir = request.cacheDirectory {
            let before = session.tokens.count
            let loaded = try session.restoreOrSavePrefix(Array(request.prompt.prefix(request.cachePrefix)), directory: dir)
            if !loaded, session.tokens.count != before || before == 0 { prefixComputed = session.lastComputed }
        }
        // A call the step must make, with the start its schema fixes: `<tool_call>`, a newline and that start are
        // evaluated with the prompt, in the same batch, instead of as decode steps and a batch of their own.
        var opening: (newline: [Int32], start: [Int32], all: [Int32])?
        if case let .required(g) = request.tools, !request.callPrefix.isEmpty, request.maxTokens > 0, !isCancelled() {
            let open = g.openID.map { [$0] } ?? tokenizer.encode("<tool_call>")
            let newline = tokenizer.encode("\n"), start = tokenizer.encode(request.callPrefix)
            opening = (newline, start, open + newline + start)
        }
        var logits = try session.evaluate(request.prompt + (opening?.all ?? []))
        var result = GenerationResult(text: "", tokens: [], finishReason: .length, promptTokens: request.prompt.count,
                                      // The opening is counted with the generated tokens, not the prompt's.
                                      promptComputed: max(0, session.lastComputed - (opening?.all.count ?? 0)) + prefixComputed, promptSeconds: clock() - t0,
                                      generationSeconds: 0, maskSeconds: 0, constrainedSteps: 0)
        let t1 = clock()
        var sampler = Sampler(request.sampling)
        var detok = StreamingDetokenizer(tokenizer: tokenizer)
        var pending = ""           // decoded text not yet shown (may be the start of a stop string)
        var history = request.prompt
        let grammar: ToolCallGrammar?
        switch request.tools {
        case .none: grammar = nil
        case let .auto(g), let .required(g): grammar = g
        }
        var constraint: ToolCallConstraint?
        var atCallBoundary = true  // start of the reply, or just after a finished call
        var atReplyStart = true    // nothing but whitespace generated yet

        func emit(_ text: String, final: Bool) -> Bool {
            pending += text
            for s in request.stop where !s.isEmpty {
                if let r = pending.range(of: s) {
                    let shown = String(pending[..<r.lowerBound])
                    result.text += shown
                    onText(shown)
                    pending = ""
                    return true
                }
            }
            // Hold back the longest suffix that could begin a stop string.
            var hold = 0
            if !final {
                for s in request.stop where !s.isEmpty {
                    for k in stride(from: min(s.count, pending.count), to: 0, by: -1) where pending.hasSuffix(s.prefix(k)) {
                        hold = max(hold, k)
                        break
                    }
                }
            }
            let shownEnd = pending.index(pending.endIndex, offsetBy: -hold)
            let shown = String(pending[..<shownEnd])
            if !shown.isEmpty {
                result.text += shown
                onText(shown)
            }
            pending = String(pending[shownEnd...])
            return false
        }

        func feed(_ token: Int32) throws -> Bool {
            result.tokens.append(token)
            history.append(token)
            if emit(detok.append(token), final: false) {
                result.finishReason = .stopString
                return true
            }
            logits = try session.append([token])
            return false
        }

        /// Opens a call: `<tool_call>` (the special token, or its text in vocabularies without it), optionally
        /// a newline, then constrained JSON. Returns true if a stop string ended generation.
        func startCall(forceNewline: Bool) throws -> Bool {
            guard let g = grammar else { return false }
            atReplyStart = false
            atCallBoundary = false
            for t in g.openID.map({ [$0] }) ?? tokenizer.encode("<tool_call>") where try feed(t) { return true }
            var c = g.makeConstraint()
            if forceNewline {
                for t in tokenizer.encode("\n") {
                    if try feed(t) { return true }
                    try c.accept(t)
                }
            }
            constraint = c
            return false
        }

        if let opening, case let .required(g) = request.tools {
            atReplyStart = false
            atCallBoundary = false
            var c = g.makeConstraint()
            var stopped = false
            for (i, t) in opening.all.enumerated() where !stopped {
                if i >= opening.all.count - opening.newline.count - opening.start.count {
                    do { try c.accept(t) } catch { throw LLMError.invalidArgument("the call prefix \(request.callPrefix.debugDescription) does not fit the tool's grammar") }
                }
                result.tokens.append(t)
                history.append(t)
                if emit(detok.append(t), final: false) { result.finishReason = .stopString; stopped = true }
            }
            if stopped { result.generationSeconds = clock() - t1; return result }
            constraint = c
        }
        while result.tokens.count < request.maxTokens {
            if isCancelled() { result.finishReason = .cancelled; break }
            // Room for this token and a few forced ones (<tool_call>, newline, closing text).
            if session.tokens.count + 8 > session.contextLimit { result.finishReason = .length; break }
            if atReplyStart, case .required = request.tools, constraint == nil {
                // Only the reply's start is forced; after a call the model may call again or answer.
                if try startCall(forceNewline: true) { break }
                continue
            }
            var token: Int32
            if var c = constraint {
                let tm = clock()
                let allowed = c.allowedTokens()
                result.maskSeconds += clock() - tm
                result.constrainedSteps += 1
                token = sampler.sample(&logits, history: history[...], allowed: allowed)
                try c.accept(token)
                constraint = c.isFinished ? nil : c
                if c.isFinished {
                    atCallBoundary = true
                    if tokenizer.endOfGeneration.contains(token) {
                        // The model ended its turn right after the JSON: close the call in the text.
                        if let close = grammar?.closeID { _ = emit(detok.append(close), final: false) }
                        result.tokens.append(token)
                        result.finishReason = .endOfGeneration
                        break
                    }
                }
                if request.endAfterCall, c.isComplete, !c.isFinished {
                    // The call is all there is to this step: close it in the text without computing the tag.
                    result.tokens.append(token)
                    _ = emit(detok.append(token), final: false)
                    if let close = grammar?.closeID { _ = emit(detok.append(close), final: false) } else { _ = emit("\n</tool_call>", final: false) }
                    result.finishReason = .endOfGeneration
                    break
                }
                if try feed(token) { break }
                if let c = constraint, c.isComplete, grammar?.closeID == nil {
                    // No </tool_call> token in this vocabulary: close the call as text.
                    constraint = nil
                    atCallBoundary = true
                    var stopped = false
                    for t in tokenizer.encode("\n</tool_call>") where try feed(t) { stopped = true; break }
                    if stopped { break }
                }
                continue
            }
            for (t, bias) in request.logitBias where Int(t) < logits.count { logits[Int(t)] += bias }
            if result.tokens.isEmpty {
                for t in request.bannedAtStart where Int(t) < logits.count { logits[Int(t)] = -.infinity }
            }
            token = sampler.sample(&logits, history: history[...])
            if tokenizer.endOfGeneration.contains(token) {
                result.tokens.append(token)
                result.finishReason = .endOfGeneration
                break
            }
            if let g = grammar {
                if token == g.openID {
                    if try startCall(forceNewline: false) { break }
                    continue
                }
                if atCallBoundary {
                    let piece = String(decoding: tokenizer.piece(token), as: UTF8.self)
                    let stripped = piece.drop { $0 == " " || $0 == "\n" }
                    // A JSON object, or (at the very start) a code fence, opens a call the model did not tag.
                    if stripped.hasPrefix("{") || (atReplyStart && stripped.hasPrefix("```")) {
                        if try startCall(forceNewline: true) { break }
                        continue  // sample the JSON again, now under the grammar
                    }
                    if !piece.allSatisfy({ $0 == "\n" || $0 == " " }) { atCallBoundary = false; atReplyStart = false }
                }
            }
            if try feed(token) { break }
            if request.loopRepeats > 1, Self.endsInLoop(result.tokens, repeats: request.loopRepeats) {
                result.finishReason = .repetition
                break
            }
        }
        if result.finishReason != .stopString { _ = emit(detok.finish(), final: true) }
        result.generationSeconds = clock() - t1
        return result
    }
}
