import Foundation
import LLM
import TestSupport
import Testing
import ToolSchema

@Suite(.serialized) struct GenerationTests {
    static let tools = try! ToolSpec.list(from: #"""
        [{"name": "detect", "description": "Find objects.", "parameters": {"type": "object", "properties": {
            "image": {"type": "string"}, "query": {"type": "string", "minLength": 1},
            "max_results": {"type": "integer", "minimum": 1, "maximum": 10}}, "required": ["image", "query"]}},
         {"name": "edit", "description": "Edit an image.", "parameters": {"type": "object", "properties": {
            "image": {"type": "string"}, "operation": {"enum": ["blur", "crop", "grayscale"]},
            "box": {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1}, "minItems": 4, "maxItems": 4}},
            "required": ["image", "operation"]}}]
        """#)

    /// A model that knows nothing of these tools, sampled hot: the grammar alone must make every call valid.
    @Test func constrainedCallsAlwaysValidate() throws {
        try LoadedModels.use("smollm2-135m") { lm in
            let grammar = try ToolCallGrammar(tools: Self.tools, tokenizer: lm.tokenizer)
            let session = InferenceSession(model: lm, context: 2048)
            let prompt = lm.tokenizer.encode(ChatTemplate.render([ChatMessage(.user, "Blur the faces in img0.")], tools: Self.tools),
                                             parseSpecial: true)
            var maskMs = 0.0, steps = 0
            for seed in 0..<10 {
                var request = GenerationRequest(prompt: prompt)
                request.maxTokens = 80
                request.tools = .required(grammar)
                request.sampling = SamplingParameters(temperature: 1.0, topK: 0, topP: 1, minP: 0, seed: UInt64(seed))
                let result = try Generator(session: session).generate(request)
                let parsed = ToolCallParser.parse(result.text)
                let first = try #require(parsed.items.first, "seed \(seed): no call in \(result.text.debugDescription)")
                guard case let .call(call) = first else {
                    // Only a call cut off by the token limit may be incomplete.
                    #expect(result.finishReason == .length, "seed \(seed): \(first)")
                    continue
                }
                #expect(throws: Never.self) { try call.validate(against: Self.tools) }
                maskMs += result.maskSeconds * 1000
                steps += result.constrainedSteps
            }
            print("grammar mask \(maskMs / Double(max(steps, 1))) ms/token over \(steps) tokens (smollm2 vocabulary)")
        }
    }

    /// Re-evaluating a prompt that extends the cached one computes only the new tokens, with the same logits
    /// as a fresh computation (checked in float32: in bfloat16 a different batch split may round differently);
    /// the on-disk prompt cache restores identical state.
    @Test func prefixReuseAndPromptCache() throws {
        try LoadedModels.use("smollm2-135m") { lm in
            let saved = lm.transformer.prefillPrecision
            lm.transformer.prefillPrecision = .float32
            defer { lm.transformer.prefillPrecision = saved }
            let a = lm.tokenizer.encode("The quick brown fox jumps over the lazy dog.")
            let b = a + lm.tokenizer.encode(" Then it ran away.")
            let session = InferenceSession(model: lm, context: 256)
            _ = try session.evaluate(a)
            let reused = try session.evaluate(b)
            #expect(session.lastReused == a.count && session.lastComputed == b.count - a.count)
            let fresh = try InferenceSession(model: lm, context: 256).evaluate(b)
            #expect(zip(reused, fresh).map { abs($0 - $1) }.max()! < 1e-3)

            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-prompt-cache-\(getpid())")
            defer { try? FileManager.default.removeItem(at: dir) }
            let first = InferenceSession(model: lm, context: 256)
            #expect(try first.restoreOrSavePrefix(a, directory: dir) == false)
            let second = InferenceSession(model: lm, context: 256)
            #expect(try second.restoreOrSavePrefix(a, directory: dir) == true)
            #expect(second.tokens == a)
            let restored = try second.evaluate(b)
            #expect(second.lastComputed == b.count - a.count)
            #expect(restored == reused)
            // A corrupt file is not used.
            let file = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil).first!
            try Data("garbage".utf8).write(to: file)
            #expect(try InferenceSession(model: lm, context: 256).restoreOrSavePrefix(a, directory: dir) == false)
        }
    }

    @Test func stopStringsAndStreaming() throws {
        try LoadedModels.use("smollm2-135m") { lm in
            let prompt = lm.tokenizer.encode("Count from 1 to 30: 1, 2, 3, 4,")
            var request = GenerationRequest(prompt: prompt)
            request.maxTokens = 40
            request.stop = [" 9,"]
            var streamed = ""
            let result = try Generator(session: InferenceSession(model: lm, context: 256)).generate(request, onText: { streamed += $0 })
            #expect(result.finishReason == .stopString)
            #expect(result.text == " 5, 6, 7, 8,")
            #expect(streamed == result.text)
        }
    }

    @Test func loopsEndTheReply() throws {
        // Against a naive reading: some period p ≤ 8 whose last `repeats` blocks are all equal.
        func naive(_ t: [Int32], _ repeats: Int) -> Bool {
            (1...8).contains { p in
                guard p * repeats <= t.count else { return false }
                let blocks = (0..<repeats).map { Array(t[(t.count - p * ($0 + 1))..<(t.count - p * $0)]) }
                return blocks.allSatisfy { $0 == blocks[0] }
            }
        }
        var rng = SplitMix(seed: 7)
        for _ in 0..<2000 {
            let alphabet = Int32(1 + rng.next() % 3)
            let tokens = (0..<Int(rng.next() % 40)).map { _ in Int32(rng.next() % UInt64(alphabet)) }
            let repeats = 2 + Int(rng.next() % 5)
            #expect(Generator.endsInLoop(tokens, repeats: repeats) == naive(tokens, repeats), "\(tokens) ×\(repeats)")
        }
        try LoadedModels.use("smollm2-135m") { lm in
            var request = GenerationRequest(prompt: lm.tokenizer.encode("0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,"))
            request.maxTokens = 60
            request.loopRepeats = 6
            let result = try Generator(session: InferenceSession(model: lm, context: 256)).generate(request)
            #expect(result.finishReason == .repetition && result.tokens.count < 60, "\(result.finishReason) after \(result.tokens.count): \(result.text)")
        }
    }
}
