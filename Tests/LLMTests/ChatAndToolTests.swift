import Foundation
import LLM
import TestSupport
import Testing
import ToolSchema

@Suite struct ChatTemplateTests {
    /// The fixture prompts were rendered by the GGUF's own Jinja template; ours must give the same text.
    @Test func rendersLikeTheModelTemplate() throws {
        let greedy = try Fixtures.llmJSON("qwen2.5-coder-0.5b", "greedy.json")
        let prompts = greedy["prompts"] as! [[String: Any]]
        let haiku = prompts.first { $0["name"] as? String == "chat_haiku" }!["text"] as! String
        #expect(ChatTemplate.render([ChatMessage(.system, "You are a helpful assistant."),
                                     ChatMessage(.user, "Write a haiku about the sea.")]) == haiku)
        let toolsText = prompts.first { $0["name"] as? String == "chat_tools" }!["text"] as! String
        let block = toolsText.components(separatedBy: "<tools>\n")[1].components(separatedBy: "\n</tools>")[0]
        let tools = try block.split(separator: "\n").map { try ToolSpec(json: JSONParser.parse(String($0))) }
        let system = "You are Loupe, an assistant that answers questions about images by calling tools. The user's image is img0."
        #expect(ChatTemplate.render([ChatMessage(.system, system), ChatMessage(.user, "How many faces are in my photo?")],
                                    tools: tools) == toolsText)
    }

    @Test func rendersToolCallsAndResponses() throws {
        let call = ToolCall(name: "detect", arguments: try JSONParser.parse(#"{"image": "img0", "query": "face"}"#))
        let text = ChatTemplate.render([ChatMessage(.user, "faces?"), ChatMessage(.assistant, "", toolCalls: [call]),
                                        ChatMessage(.tool, "face 0.97 [0.1,0.2,0.3,0.4]"), ChatMessage(.tool, "second")],
                                       addGenerationPrompt: true, defaultSystem: nil)
        #expect(text == "<|im_start|>user\nfaces?<|im_end|>\n<|im_start|>assistant\n<tool_call>\n{\"name\": \"detect\", \"arguments\": "
            + "{\"image\": \"img0\", \"query\": \"face\"}}\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\nface 0.97 "
            + "[0.1,0.2,0.3,0.4]\n</tool_response>\n<tool_response>\nsecond\n</tool_response><|im_end|>\n<|im_start|>assistant\n")
    }
}

@Suite struct ToolCallParserTests {
    @Test func readsHermesBareAndFencedCalls() {
        let hermes = ToolCallParser.parse("Sure.\n<tool_call>\n{\"name\": \"ocr\", \"arguments\": {\"image\": \"img0\"}}\n</tool_call>\n<tool_call>{\"name\": \"tag\", \"arguments\": \"{\\\"k\\\": 3}\"}")
        #expect(hermes.calls.map(\.name) == ["ocr", "tag"])
        #expect(hermes.calls[1].arguments == .object([("k", .integer(3))]))
        #expect(hermes.text == "Sure.")
        #expect(ToolCallParser.parse(#"{"name": "detect", "arguments": {"query": "cat"}}"#).calls.first?.name == "detect")
        #expect(ToolCallParser.parse("Here:\n```json\n{\"name\": \"ocr\", \"arguments\": {}}\n```").calls.count == 1)
        #expect(ToolCallParser.parse("Hello! How can I help?").items.isEmpty)
        if case .malformed? = ToolCallParser.parse("<tool_call>{\"name\": \"ocr\", </tool_call>").items.first {} else {
            Issue.record("a broken call must be reported as malformed")
        }
    }
}

@Suite struct SamplerTests {
    @Test func greedyTopKAndSeeds() {
        var logits: [Float] = [0.1, 3, 2.9, -1]
        var greedy = Sampler(.greedy)
        #expect(greedy.sample(&logits) == 1)
        var draws: [Int32: Int] = [:]
        var s = Sampler(SamplingParameters(temperature: 1, topK: 2, topP: 1, minP: 0, seed: 9))
        for _ in 0..<2000 {
            var l = logits
            draws[s.sample(&l), default: 0] += 1
        }
        #expect(Set(draws.keys) == [1, 2])
        let share = Double(draws[1]!) / 2000
        #expect(abs(share - 1 / (1 + exp(-0.1))) < 0.04)
        func run(seed: UInt64) -> [Int32] {
            var s = Sampler(SamplingParameters(temperature: 1, topK: 0, topP: 0.9, minP: 0, seed: seed))
            return (0..<50).map { _ in var l = logits; return s.sample(&l) }
        }
        #expect(run(seed: 1) == run(seed: 1))
        #expect(run(seed: 1) != run(seed: 2))
        var l = logits
        var constrained = Sampler(.greedy)
        #expect(constrained.sample(&l, allowed: [0, 3]) == 0)
        var penal: [Float] = [2, 1.9]
        var p = Sampler(SamplingParameters(repetitionPenalty: 1.5))
        #expect(p.sample(&penal, history: [0]) == 1)
    }
}
