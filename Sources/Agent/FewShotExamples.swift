/// The few-shot examples of `skills/*/examples.md`, read from their plain format
///
/// ```
/// User: Blur every face.
/// Call: {"name": "detect", "arguments": {"image": "img0", "query": "face"}}
/// Observation: face 0.97 [0.41,0.12,0.58,0.39]
/// Answer: Done: the face is blurred in img2.
/// ```
/// (examples separated by blank lines; a line without a keyword continues the previous entry) and rendered in
/// the chat format the planner is expected to produce: calls in `<tool_call>` tags, results in `<tool_response>`.
public enum FewShotExamples {
    public enum Entry: Equatable, Sendable {
        case user(String), call(String), observation(String), answer(String)
    }

    private static let keywords: [(String, @Sendable (String) -> Entry)] = [
        ("User:", { .user($0) }), ("Call:", { .call($0) }), ("Observation:", { .observation($0) }), ("Answer:", { .answer($0) }),
    ]

    /// Parses one examples.md; unknown lines before any keyword are ignored.
    public static func parse(_ text: String) -> [[Entry]] {
        var examples: [[Entry]] = [], current: [Entry] = []
        func flush() { if !current.isEmpty { examples.append(current); current = [] } }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { flush(); continue }
            if let (k, make) = keywords.first(where: { line.hasPrefix($0.0) }) {
                current.append(make(String(line.dropFirst(k.count)).trimmingCharacters(in: .whitespaces)))
            } else if let last = current.popLast() {
                switch last {
                case let .user(t): current.append(.user(t + "\n" + line))
                case let .call(t): current.append(.call(t + "\n" + line))
                case let .observation(t): current.append(.observation(t + "\n" + line))
                case let .answer(t): current.append(.answer(t + "\n" + line))
                }
            }
        }
        flush()
        return examples
    }

    /// One example as a transcript in the planner's own format.
    public static func render(_ example: [Entry]) -> String {
        example.map { entry in
            switch entry {
            case let .user(t): return "user: \(t)"
            case let .call(t): return "assistant: <tool_call>\n\(t)\n</tool_call>"
            case let .observation(t): return "tool: <tool_response>\n<observation>\n\(t)\n</observation>\n</tool_response>"
            case let .answer(t): return "assistant: \(t)"
            }
        }.joined(separator: "\n")
    }
}
