import Foundation
import Tokenizers
import ToolSchema

/// The vocabulary indexed for constrained decoding: tries of the ordinary tokens, built once per tokenizer
/// and shared by every grammar made for it (a plan narrows a tool's schema per call, so grammars are many).
final class GrammarVocabulary: @unchecked Sendable {
    /// All ordinary tokens.
    let trie: TokenTrie
    /// Ordinary tokens containing a quote, a backslash or a control byte (the ones that can leave a string).
    let stringExitTrie: TokenTrie
    /// Ordinary tokens made only of bytes that are plain string content.
    let plainStringTokens: [Int32]

    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: [ObjectIdentifier: GrammarVocabulary] = [:]

    /// The shared index of `tokenizer`'s vocabulary.
    static func shared(for tokenizer: BPETokenizer) -> GrammarVocabulary {
        lock.withLock {
            if let v = made[ObjectIdentifier(tokenizer)] { return v }
            let v = GrammarVocabulary(tokenizer)
            made[ObjectIdentifier(tokenizer)] = v
            return v
        }
    }

    private init(_ tokenizer: BPETokenizer) {
        var ordinary: [Int32] = [], exits: [Int32] = [], plain: [Int32] = []
        for id in 0..<tokenizer.count {
            let kind = tokenizer.kinds[id]
            guard kind == .normal || kind == .byte || kind == .undefined else { continue }
            let bytes = tokenizer.piece(Int32(id))
            guard !bytes.isEmpty else { continue }
            ordinary.append(Int32(id))
            if bytes.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
                plain.append(Int32(id))
            } else {
                exits.append(Int32(id))
            }
        }
        trie = TokenTrie(ids: ordinary, piece: tokenizer.piece)
        stringExitTrie = TokenTrie(ids: exits, piece: tokenizer.piece)
        plainStringTokens = plain
    }
}

/// Everything constrained tool-call decoding needs that does not change between calls: the schema of
/// one call (`{"name": <tool>, "arguments": <that tool's schema>}` for any of the tools) and the
/// vocabulary indexed for fast masking (shared per tokenizer).
public final class ToolCallGrammar: @unchecked Sendable {
    public let tools: [ToolSpec]
    let callSchema: SchemaNode
    let tokenizer: BPETokenizer
    let vocabulary: GrammarVocabulary
    var trie: TokenTrie { vocabulary.trie }
    var stringExitTrie: TokenTrie { vocabulary.stringExitTrie }
    var plainStringTokens: [Int32] { vocabulary.plainStringTokens }
    /// `<tool_call>` and `</tool_call>` ids when the vocabulary has them.
    public let openID: Int32?
    public let closeID: Int32?

    public init(tools: [ToolSpec], tokenizer: BPETokenizer) throws {
        guard !tools.isEmpty else { throw LLMError.invalidArgument("no tools given") }
        self.tools = tools
        self.tokenizer = tokenizer
        callSchema = .anyOf(tools.map { tool in
            .object(ObjectSchema(properties: [("name", .literal([.string(tool.name)])), ("arguments", tool.schema)],
                                 required: ["name", "arguments"], additionalProperties: false))
        })
        vocabulary = GrammarVocabulary.shared(for: tokenizer)
        openID = tokenizer.id(of: "<tool_call>")
        closeID = tokenizer.id(of: "</tool_call>")
    }

    /// A fresh constraint for one call, positioned just after `<tool_call>`.
    public func makeConstraint() -> ToolCallConstraint { ToolCallConstraint(grammar: self) }
}

/// The state of one constrained tool call: an optional newline, the JSON call, up to two newlines, then
/// `</tool_call>` (or an end-of-generation token).
public struct ToolCallConstraint {
    let grammar: ToolCallGrammar
    var state: ByteState
    /// True once the closing token has been accepted.
    public private(set) var isFinished = false

    struct ByteState {
        var leading = true       // the optional newline after <tool_call> may still come
        var matcher: SchemaMatcher
        var trailing = -1         // -1: JSON not complete; else newlines seen after it

        mutating func advance(_ b: UInt8) -> Bool {
            if trailing >= 0 {
                guard b == 0x0A, trailing < 2 else { return false }
                trailing += 1
                return true
            }
            if leading {
                leading = false
                if b == 0x0A { return true }
            }
            if matcher.isComplete, !matcher.canContinue {
                guard b == 0x0A else { return false }
                trailing = 1
                return true
            }
            guard matcher.advance(b) else { return false }
            if matcher.isComplete, !matcher.canContinue { trailing = 0 }
            return true
        }

        var jsonComplete: Bool { trailing >= 0 }
    }

    init(grammar: ToolCallGrammar) {
        self.grammar = grammar
        state = ByteState(matcher: SchemaMatcher(grammar.callSchema))
    }

    /// Whether the JSON of the call is complete (the call may be closed now).
    public var isComplete: Bool { state.jsonComplete }

    /// The ids allowed next.
    public func allowedTokens() -> [Int32] {
        var allowed: [Int32] = []
        if state.jsonComplete {
            if let close = grammar.closeID { allowed.append(close) }
            allowed += grammar.tokenizer.endOfGeneration
        }
        let inString = !state.leading && !state.jsonComplete && state.matcher.isInFreeString
        if inString {
            allowed += grammar.plainStringTokens
            walk(grammar.stringExitTrie, into: &allowed)
        } else {
            walk(grammar.trie, into: &allowed)
        }
        return allowed
    }

    /// Depth-first walk of the trie, advancing a copy of the state along each edge and pruning dead ones.
    private func walk(_ trie: TokenTrie, into allowed: inout [Int32]) {
        var stack: [(node: Int32, state: ByteState)] = [(0, state)]
        while let (node, s) = stack.popLast() {
            var child = trie.firstChild[Int(node)]
            while child >= 0 {
                var next = s
                if next.advance(trie.byte[Int(child)]) {
                    let c = Int(child)
                    if trie.endCount[c] > 0 {
                        let start = Int(trie.endStart[c])
                        allowed += trie.ends[start..<(start + Int(trie.endCount[c]))]
                    }
                    if trie.firstChild[c] >= 0 { stack.append((child, next)) }
                }
                child = trie.nextSibling[Int(child)]
            }
        }
    }

    /// Takes the chosen token. Throws if it was not allowed (a bug in the caller).
    public mutating func accept(_ token: Int32) throws {
        if token == grammar.closeID || grammar.tokenizer.endOfGeneration.contains(token) {
            guard state.jsonComplete else { throw LLMError.invalidArgument("tool call closed before its JSON was complete") }
            isFinished = true
            return
        }
        for b in grammar.tokenizer.piece(token) where !state.advance(b) {
            throw LLMError.invalidArgument("token \(token) is not allowed by the tool-call grammar")
        }
    }
}
