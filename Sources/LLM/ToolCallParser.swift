import ToolSchema

/// Extracts tool calls from an assistant reply. Accepts the Hermes form (`<tool_call>{…}</tool_call>`,
/// several per reply, the last one possibly unterminated), and the forms small models fall back to: a
/// bare JSON object `{"name": …, "arguments": …}` as the whole reply, or such an object in a ```json block.
public enum ToolCallParser {
    /// One call found in the reply, or why a candidate could not be read.
    public enum Item: Sendable, Equatable {
        case call(ToolCall)
        /// The text of a candidate that is not a valid call, and why.
        case malformed(text: String, reason: String)
    }

    public struct Result: Sendable, Equatable {
        public var items: [Item]
        /// The reply with the calls removed (what the model said besides calling).
        public var text: String
        public var calls: [ToolCall] { items.compactMap { if case let .call(c) = $0 { return c } else { return nil } } }
    }

    public static func parse(_ reply: String) -> Result {
        var items: [Item] = []
        var text = ""
        if reply.contains("<tool_call>") {
            var rest = Substring(reply)
            while let open = rest.range(of: "<tool_call>") {
                text += rest[..<open.lowerBound]
                let afterOpen = rest[open.upperBound...]
                let body: Substring
                if let close = afterOpen.range(of: "</tool_call>") {
                    body = afterOpen[..<close.lowerBound]
                    rest = afterOpen[close.upperBound...]
                } else {
                    body = afterOpen
                    rest = ""
                }
                items.append(item(String(body)))
            }
            text += rest
            return Result(items: items, text: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let trimmed = reply.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{"), case let .call(c) = item(trimmed) {
            return Result(items: [.call(c)], text: "")
        }
        if let fence = trimmed.range(of: "```json") ?? trimmed.range(of: "```") {
            let after = trimmed[fence.upperBound...]
            if let end = after.range(of: "```") {
                let candidate = String(after[..<end.lowerBound])
                if case let .call(c) = item(candidate) {
                    return Result(items: [.call(c)], text: (trimmed[..<fence.lowerBound] + after[end.upperBound...])
                        .trimmingCharacters(in: .whitespacesAndNewlines))
                }
            }
        }
        return Result(items: [], text: trimmed)
    }

    /// Reads one call body (JSON object with `name` and `arguments`; `arguments` may be a JSON string).
    static func item(_ body: String) -> Item {
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch { return .malformed(text: text, reason: "\(error)") }
        guard let name = value["name"]?.stringValue else { return .malformed(text: text, reason: "the call has no \"name\" string") }
        var arguments = value["arguments"] ?? value["parameters"] ?? .object([])
        if case let .string(s) = arguments, let inner = try? JSONParser.parse(s) { arguments = inner }
        guard arguments.objectValue != nil else {
            return .malformed(text: text, reason: "\"arguments\" of \(name) must be a JSON object")
        }
        return .call(ToolCall(name: name, arguments: arguments))
    }
}

import Foundation
