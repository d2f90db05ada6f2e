import ToolSchema

/// One turn of a conversation.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case system, user, assistant, tool }
    public var role: Role
    public var content: String
    /// Calls made by an assistant turn.
    public var toolCalls: [ToolCall]

    public init(_ role: Role, _ content: String, toolCalls: [ToolCall] = []) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
    }
}

/// ChatML as Qwen2.5's own template renders it, including Hermes-style tools: a `<tools>` block in the
/// system turn, `<tool_call>{…}</tool_call>` in assistant turns, and `<tool_response>` blocks in user turns
/// for tool results. Without tools and with a model whose template has no tool support (SmolLM2) the
/// output is plain ChatML.
public enum ChatTemplate {
    /// Qwen's default system prompt, used when the conversation has none.
    public static let defaultSystem = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."

    /// Renders `messages`; ends with the assistant header when `addGenerationPrompt`.
    public static func render(_ messages: [ChatMessage], tools: [ToolSpec] = [], addGenerationPrompt: Bool = true,
                              defaultSystem: String? = ChatTemplate.defaultSystem) -> String {
        var out = ""
        let system = messages.first?.role == .system ? messages.first!.content : nil
        if !tools.isEmpty {
            out += "<|im_start|>system\n" + (system ?? defaultSystem ?? "")
            out += "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
            out += "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
            for t in tools { out += "\n" + t.functionJSON.description }
            out += "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
            out += "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n"
        } else if let system {
            out += "<|im_start|>system\n" + system + "<|im_end|>\n"
        } else if let defaultSystem {
            out += "<|im_start|>system\n" + defaultSystem + "<|im_end|>\n"
        }
        for (i, m) in messages.enumerated() {
            switch m.role {
            case .system where i == 0:
                continue
            case .user, .system:
                out += "<|im_start|>\(m.role.rawValue)\n\(m.content)<|im_end|>\n"
            case .assistant where m.toolCalls.isEmpty:
                out += "<|im_start|>assistant\n\(m.content)<|im_end|>\n"
            case .assistant:
                out += "<|im_start|>assistant"
                if !m.content.isEmpty { out += "\n" + m.content }
                for call in m.toolCalls {
                    var name = ""
                    JSONValue.quote(call.name, into: &name)
                    out += "\n<tool_call>\n{\"name\": \(name), \"arguments\": \(call.arguments.description)}\n</tool_call>"
                }
                out += "<|im_end|>\n"
            case .tool:
                if i == 0 || messages[i - 1].role != .tool { out += "<|im_start|>user" }
                out += "\n<tool_response>\n\(m.content)\n</tool_response>"
                if i == messages.count - 1 || messages[i + 1].role != .tool { out += "<|im_end|>\n" }
            }
        }
        if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        return out
    }
}
