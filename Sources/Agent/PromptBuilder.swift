import LLM
import ToolSchema

/// The planner's prompt as text (ChatML with Qwen's Hermes tool block). The system turn is the instructions of
/// `skills/planner.md` and the tools: the same for every step and turn, so its KV cache is computed once. The
/// current turn's user message carries the few-shot examples chosen for it, nearest last. Earlier turns stay
/// out (a small planner copies their answers); the handles they made stay reachable through a note.
public struct PromptBuilder: Sendable {
    public let instructions: String
    public let texts: PromptTexts

    public init(instructions: String, texts: PromptTexts) { (self.instructions, self.texts) = (instructions, texts) }

    /// The whole prompt of a step, and the system turn alone (the cached prefix).
    public func render(_ request: PlannerRequest, examples: [[FewShotExamples.Entry]]) -> (text: String, system: String) {
        var chat = [ChatMessage(.system, instructions)]
        let turnStart = request.messages.lastIndex { $0.role == .user } ?? 0
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
                if i == 0, !examples.isEmpty {
                    // Nearest last: a small planner follows the example closest to the request most.
                    let shown = examples.reversed().map { "<example>\n\(FewShotExamples.render($0))\n</example>" }.joined(separator: "\n")
                    content = "\(texts.examplesIntro)\n\(shown)\n\n\(texts.requestIntro)\n\(m.content)"
                }
                chat.append(ChatMessage(.user, content))
            case .assistant: chat.append(ChatMessage(.assistant, m.content, toolCalls: m.calls))
            case .tool: chat.append(ChatMessage(.tool, m.content))
            }
        }
        let tools = Self.fitted(request.tools, characters: texts.toolsBlockCharacters)
        let text = ChatTemplate.render(chat, tools: tools)
        let system = ChatTemplate.render([chat[0]], tools: tools, addGenerationPrompt: false)
        return (text, system)
    }

    /// The tools the system turn shows: in the registry's order (built-in skills first), each while the
    /// descriptions and schemas so far fit in `characters`; the rest are left out of the prompt (a plugin with a
    /// hundred tools would fill the planner's context), and reached through the plan choice, whose step's
    /// grammar names the tool.
    public static func fitted(_ tools: [ToolSpec], characters: Int) -> [ToolSpec] {
        var used = 0
        return tools.filter { tool in
            let size = tool.name.count + tool.description.count + tool.parameters.compactDescription.count
            guard used + size <= characters else { return false }
            used += size
            return true
        }
    }

    /// The user's words without Loupe's notes (`[image img0 attached, …]` lines).
    public static func words(of message: String) -> String {
        message.split(separator: "\n").filter { !($0.hasPrefix("[") && $0.hasSuffix("]")) }.joined(separator: "\n")
    }
}
