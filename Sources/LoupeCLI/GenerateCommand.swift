import ArgumentParser
import Foundation
import LLM
import ToolSchema

/// `loupe generate`: run a language model on a prompt, streaming the output.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate text from a prompt (raw, or as a chat turn with optional tools).",
        discussion: """
            With --tools FILE.json (a JSON array of tools, {"name", "description", "parameters"} or the OpenAI \
            {"type": "function", "function": {…}} form) the prompt is a chat turn with a Qwen <tools> block, and any \
            tool call the model starts is decoded under a grammar built from the schemas, so it always parses and \
            validates. --samples N repeats the generation with seeds S, S+1, … and reports how many calls validated.
            """)

    @Option(help: "Model name from the catalogue, or a path to a .gguf file.")
    var model = ModelResolver.defaultPlanner

    @Option(help: "The prompt (raw text, or the user turn with --chat).")
    var prompt: String

    @Flag(help: "Wrap the prompt as a ChatML user turn (implied by --tools).")
    var chat = false

    @Option(help: "System prompt for --chat.")
    var system: String?

    @Option(help: "JSON file with the tools the model may call.")
    var tools: String?

    @Option(help: "Maximum tokens to generate.")
    var maxTokens = 256

    @Option(help: "Sampling temperature (0 = greedy).")
    var temperature: Float = 0

    @Option(help: "Top-k (0 = off).")
    var topK = 40

    @Option(help: "Top-p (1 = off).")
    var topP: Float = 0.95

    @Option(help: "Min-p (0 = off).")
    var minP: Float = 0.05

    @Option(help: "Repetition penalty (1 = off).")
    var repeatPenalty: Float = 1

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Stop before this text (repeatable).")
    var stop: [String] = []

    @Flag(help: "Print the generated token ids instead of the text.")
    var tokenIds = false

    @Option(help: "Context window (default: the model's, capped at 8192).")
    var context: Int?

    @Option(help: "Repeat the generation N times with consecutive seeds and report tool-call statistics.")
    var samples = 1

    @Flag(help: "Do not read or write the on-disk cache of the system prompt.")
    var noPromptCache = false

    func validate() throws {
        guard (0...32768).contains(maxTokens) else { throw ValidationError("--max-tokens must be 0...32768") }
        guard (1...10000).contains(samples) else { throw ValidationError("--samples must be 1...10000") }
        if let context, context < 16 { throw ValidationError("--context must be at least 16") }
    }

    func run() throws {
        let toolSpecs: [ToolSpec]
        if let tools {
            guard let text = try? String(contentsOfFile: tools, encoding: .utf8) else { throw CLIError("cannot read \(tools)") }
            do { toolSpecs = try ToolSpec.list(from: text) } catch { throw CLIError("\(tools): \(error)") }
        } else {
            toolSpecs = []
        }
        let lm = try ModelResolver.load(model)
        let session = InferenceSession(model: lm, context: context ?? min(lm.config.contextLength, 8192))
        let useChat = chat || !toolSpecs.isEmpty
        var messages: [ChatMessage] = []
        if let system { messages.append(ChatMessage(.system, system)) }
        messages.append(ChatMessage(.user, prompt))
        let text = useChat ? ChatTemplate.render(messages, tools: toolSpecs) : prompt
        let ids = lm.tokenizer.encode(text, parseSpecial: true)
        var request = GenerationRequest(prompt: ids)
        request.maxTokens = maxTokens
        request.sampling = SamplingParameters(temperature: temperature, topK: topK, topP: topP, minP: minP,
                                              repetitionPenalty: repeatPenalty, seed: seed)
        request.stop = stop
        if !toolSpecs.isEmpty {
            request.tools = .auto(try ToolCallGrammar(tools: toolSpecs, tokenizer: lm.tokenizer))
        }
        if useChat, !noPromptCache {
            // The system turn (with the tools) is the same for every prompt: keep its KV cache on disk.
            let systemOnly = ChatTemplate.render(Array(messages.prefix(system == nil ? 0 : 1)), tools: toolSpecs,
                                                 addGenerationPrompt: false)
            let prefix = lm.tokenizer.encode(systemOnly, parseSpecial: true)
            if ids.starts(with: prefix), prefix.count < ids.count {
                request.cachePrefix = prefix.count
                request.cacheDirectory = PromptCacheLocation.directory
            }
        }
        let generator = Generator(session: session)
        if samples > 1 {
            try runSamples(generator, request, toolSpecs)
            return
        }
        let interrupt = InterruptFlag.install()
        let result = try generator.generate(request, onText: { chunk in
            if !tokenIds { FileHandle.standardOutput.write(Data(chunk.utf8)) }
        }, isCancelled: { interrupt.isSet })
        if tokenIds { print(result.tokens.map(String.init).joined(separator: " ")) } else { print("") }
        if !toolSpecs.isEmpty { report(ToolCallParser.parse(result.text), toolSpecs) }
        var summary = String(format: "prompt %d tokens (%d computed) in %.2f s (%.1f tok/s); generated %d tokens in %.2f s (%.1f tok/s); %@",
                             result.promptTokens, result.promptComputed, result.promptSeconds, result.promptTokensPerSecond,
                             result.tokens.count, result.generationSeconds, result.generatedTokensPerSecond, result.finishReason.rawValue)
        if result.constrainedSteps > 0 {
            summary += String(format: "; grammar mask %.2f ms/token over %d tokens", result.maskMillisecondsPerStep, result.constrainedSteps)
        }
        FileHandle.standardError.write(Data((summary + "\n").utf8))
    }

    private func report(_ parsed: ToolCallParser.Result, _ tools: [ToolSpec]) {
        for item in parsed.items {
            switch item {
            case let .call(call):
                do {
                    try call.validate(against: tools)
                    FileHandle.standardError.write(Data("tool call \(call.name) \(call.arguments): valid\n".utf8))
                } catch {
                    FileHandle.standardError.write(Data("tool call \(call.name): INVALID: \(error)\n".utf8))
                }
            case let .malformed(text, reason):
                FileHandle.standardError.write(Data("malformed tool call \(text.debugDescription): \(reason)\n".utf8))
            }
        }
    }

    private func runSamples(_ generator: Generator, _ base: GenerationRequest, _ tools: [ToolSpec]) throws {
        var withCall = 0, valid = 0, invalid = 0, malformed = 0, maskSeconds = 0.0, maskSteps = 0, tokens = 0, seconds = 0.0
        let interrupt = InterruptFlag.install()
        for i in 0..<samples {
            if interrupt.isSet { break }
            var request = base
            request.sampling.seed = seed &+ UInt64(i)
            let result = try generator.generate(request, isCancelled: { interrupt.isSet })
            let parsed = ToolCallParser.parse(result.text)
            if !parsed.items.isEmpty { withCall += 1 }
            for item in parsed.items {
                switch item {
                case let .call(c):
                    if (try? c.validate(against: tools)) != nil { valid += 1 } else {
                        invalid += 1
                        FileHandle.standardError.write(Data("sample \(i): invalid call \(c.json)\n".utf8))
                    }
                case let .malformed(text, reason):
                    malformed += 1
                    FileHandle.standardError.write(Data("sample \(i): malformed \(text.debugDescription): \(reason)\n".utf8))
                }
            }
            maskSeconds += result.maskSeconds
            maskSteps += result.constrainedSteps
            tokens += result.tokens.count
            seconds += result.generationSeconds
            if (i + 1) % 20 == 0 {
                FileHandle.standardError.write(Data("\(i + 1)/\(samples) samples, \(valid) valid calls so far\n".utf8))
            }
        }
        let calls = valid + invalid + malformed
        print("samples \(samples), with a tool call \(withCall), calls \(calls): \(valid) parse and validate, \(invalid) invalid, \(malformed) malformed")
        if maskSteps > 0 {
            print(String(format: "grammar mask %.2f ms/token over %d constrained tokens; generation %.1f tok/s",
                         maskSeconds * 1000 / Double(maskSteps), maskSteps, Double(tokens) / max(seconds, 1e-9)))
        }
    }
}

/// Where the on-disk prompt caches live: `$LOUPE_CACHE/prompt-cache` or `~/.cache/loupe/prompt-cache`.
enum PromptCacheLocation {
    static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["LOUPE_CACHE"], !dir.isEmpty {
            return URL(fileURLWithPath: dir).appendingPathComponent("prompt-cache")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/loupe/prompt-cache")
    }
}
