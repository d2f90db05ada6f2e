/// A byte-level pushdown recogniser for JSON text that satisfies a `SchemaNode`: fed one byte at a time,
/// it says whether the text so far can still be completed into a valid value. Constrained decoding asks
/// it, for every candidate token, whether the token's bytes keep it alive.
///
/// Layout rules: no whitespace except one optional space after `:` and `,`. Object keys may come in any
/// order, each at most once; closing an object requires all required keys. Alternatives (`anyOf`) are
/// followed in parallel until the text decides between them. States are immutable linked stacks, so
/// copying a matcher is cheap.
public struct SchemaMatcher: Sendable {
    /// Live alternatives; an empty stack (nil) means a complete value.
    var stacks: [Stack?]

    public init(_ node: SchemaNode) {
        stacks = [Stack(.value(node, space: false), nil)]
    }

    /// True when no continuation can be valid.
    public var isDead: Bool { stacks.isEmpty }
    /// True when the bytes so far form a complete valid value.
    public var isComplete: Bool { stacks.contains { $0 == nil } }
    /// True when more bytes may follow (some alternative is unfinished).
    public var canContinue: Bool { stacks.contains { $0 != nil } }

    /// Feeds one byte; returns false (and becomes dead) if no alternative accepts it.
    @discardableResult
    public mutating func advance(_ byte: UInt8) -> Bool {
        var next: [Stack?] = []
        for s in stacks {
            guard let s else { continue }
            Self.step(s, byte, into: &next)
        }
        if next.count > 16 { next = Array(next.prefix(16)) }  // bound pathological ambiguity
        stacks = next
        return !stacks.isEmpty
    }

    /// Feeds several bytes.
    @discardableResult
    public mutating func advance<S: Sequence>(_ bytes: S) -> Bool where S.Element == UInt8 {
        for b in bytes where !advance(b) { return false }
        return true
    }

    /// Whether the top of every live alternative is plain string content (no length limit, not inside an
    /// escape): then any byte except `"`, `\` and control characters is accepted and changes nothing
    /// that matters, so a decoder may allow all such tokens without simulating them.
    public var isInFreeString: Bool {
        guard !stacks.isEmpty else { return false }
        return stacks.allSatisfy { s in
            if case let .string(_, maxLength, escape, _)? = s?.frame { return maxLength == nil && escape == 0 }
            return false
        }
    }

    // MARK: - Frames

    final class Stack: @unchecked Sendable {
        let frame: Frame
        let next: Stack?
        init(_ frame: Frame, _ next: Stack?) {
            self.frame = frame
            self.next = next
        }
    }

    enum Frame {
        /// Expecting the first byte of a value (one space allowed first when `space`).
        case value(SchemaNode, space: Bool)
        /// After `{` (first) or `,` (not first): expecting a key's opening quote, or `}` after `{`.
        case objectKeyStart(ObjectSchema, seen: UInt64, first: Bool, space: Bool)
        /// Inside a declared key: candidates still matching, bytes matched so far.
        case objectKey(ObjectSchema, seen: UInt64, candidates: [Int], position: Int)
        /// Inside an undeclared key (additionalProperties): a free string.
        case objectFreeKey(ObjectSchema, seen: UInt64)
        /// After a key: expecting `:`; `property` is -1 for an undeclared key.
        case objectColon(ObjectSchema, seen: UInt64, property: Int)
        /// After a member value: expecting `,` or `}`.
        case objectNext(ObjectSchema, seen: UInt64)
        /// After `[`: expecting `]` or the first item.
        case arrayStart(SchemaNode, minItems: Int, maxItems: Int?)
        /// After an item: expecting `,` or `]`.
        case arrayNext(SchemaNode, count: Int, minItems: Int, maxItems: Int?)
        /// String content after the opening quote. escape: 0 none, 1 after `\`, 2…5 hex digits left + 1.
        case string(minLength: Int, maxLength: Int?, escape: Int, length: Int)
        /// Exact alternatives (enum strings from after the opening quote, or literal values).
        case literal(candidates: [[UInt8]], alive: [Int], position: Int)
        /// A number: phase and the text so far.
        case number(integer: Bool, minimum: Double?, maximum: Double?, phase: NumberPhase, text: [UInt8])
    }

    enum NumberPhase { case sign, zero, integer, fractionStart, fraction, exponentSign, exponentStart, exponent }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    // MARK: - Transitions

    /// Pops `stack`'s top and, when `byte` is given, feeds it to what is below (a number or literal that
    /// ends only when the next byte shows it is over).
    private static func pop(_ stack: Stack, then byte: UInt8?, into out: inout [Stack?]) {
        if let byte {
            if let below = stack.next { step(below, byte, into: &out) }
        } else {
            out.append(stack.next)
        }
    }

    static func step(_ s: Stack, _ b: UInt8, into out: inout [Stack?]) {
        switch s.frame {
        case let .value(node, space):
            if b == 0x20, space { out.append(Stack(.value(node, space: false), s.next)); return }
            startValue(node, b, below: s.next, into: &out)

        case let .objectKeyStart(o, seen, first, space):
            if b == 0x20, space { out.append(Stack(.objectKeyStart(o, seen: seen, first: first, space: false), s.next)); return }
            if b == UInt8(ascii: "}"), first, seen & o.requiredMask == o.requiredMask { out.append(s.next); return }
            guard b == UInt8(ascii: "\"") else { return }
            let candidates = o.properties.indices.filter { seen & (1 << UInt64($0)) == 0 }
            if !candidates.isEmpty { out.append(Stack(.objectKey(o, seen: seen, candidates: candidates, position: 0), s.next)) }
            if o.additionalProperties { out.append(Stack(.objectFreeKey(o, seen: seen), s.next)) }

        case let .objectKey(o, seen, candidates, position):
            var alive: [Int] = []
            var done = -1
            for c in candidates {
                let key = o.keyBytes[c]
                guard position < key.count, key[position] == b else { continue }
                if position + 1 == key.count { done = c } else { alive.append(c) }
            }
            if done >= 0 { out.append(Stack(.objectColon(o, seen: seen | (1 << UInt64(done)), property: done), s.next)) }
            if !alive.isEmpty { out.append(Stack(.objectKey(o, seen: seen, candidates: alive, position: position + 1), s.next)) }

        case let .objectFreeKey(o, seen):
            // A free key is a string; on its closing quote expect ':' with an unconstrained value.
            let colon = Stack(.objectColon(o, seen: seen, property: -1), s.next)
            step(Stack(.string(minLength: 0, maxLength: nil, escape: 0, length: 0), colon), b, into: &out)

        case let .objectColon(o, seen, property):
            guard b == UInt8(ascii: ":") else { return }
            let node = property >= 0 ? o.properties[property].node : .any
            out.append(Stack(.value(node, space: true), Stack(.objectNext(o, seen: seen), s.next)))

        case let .objectNext(o, seen):
            if b == UInt8(ascii: "}") {
                if seen & o.requiredMask == o.requiredMask { out.append(s.next) }
            } else if b == UInt8(ascii: ",") {
                let remaining = o.properties.indices.contains { seen & (1 << UInt64($0)) == 0 }
                if remaining || o.additionalProperties {
                    out.append(Stack(.objectKeyStart(o, seen: seen, first: false, space: true), s.next))
                }
            }

        case let .arrayStart(item, minItems, maxItems):
            if b == UInt8(ascii: "]") {
                if minItems == 0 { out.append(s.next) }
                return
            }
            if let maxItems, maxItems == 0 { return }
            let after = Stack(.arrayNext(item, count: 1, minItems: minItems, maxItems: maxItems), s.next)
            startValue(item, b, below: after, into: &out)

        case let .arrayNext(item, count, minItems, maxItems):
            if b == UInt8(ascii: "]") {
                if count >= minItems { out.append(s.next) }
            } else if b == UInt8(ascii: ",") {
                if maxItems == nil || count < maxItems! {
                    out.append(Stack(.value(item, space: true),
                                     Stack(.arrayNext(item, count: count + 1, minItems: minItems, maxItems: maxItems), s.next)))
                }
            }

        case let .string(minLength, maxLength, escape, length):
            switch escape {
            case 0:
                if b == UInt8(ascii: "\"") {
                    if length >= minLength { out.append(s.next) }
                } else if b == UInt8(ascii: "\\") {
                    out.append(Stack(.string(minLength: minLength, maxLength: maxLength, escape: 1, length: length), s.next))
                } else if b >= 0x20 {
                    let n = length + (b & 0xC0 != 0x80 ? 1 : 0)  // count characters, not continuation bytes
                    if let maxLength, n > maxLength { return }
                    out.append(Stack(.string(minLength: minLength, maxLength: maxLength, escape: 0, length: n), s.next))
                }
            case 1:
                if b == UInt8(ascii: "u") {
                    out.append(Stack(.string(minLength: minLength, maxLength: maxLength, escape: 5, length: length), s.next))
                } else if [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                           UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t")].contains(b) {
                    let n = length + 1
                    if let maxLength, n > maxLength { return }
                    out.append(Stack(.string(minLength: minLength, maxLength: maxLength, escape: 0, length: n), s.next))
                }
            default:
                let hex = isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
                guard hex else { return }
                let left = escape - 1
                if left == 1 {
                    let n = length + 1
                    if let maxLength, n > maxLength { return }
                    out.append(Stack(.string(minLength: minLength, maxLength: maxLength, escape: 0, length: n), s.next))
                } else {
                    out.append(Stack(.string(minLength: minLength, maxLength: maxLength, escape: left, length: length), s.next))
                }
            }

        case let .literal(candidates, alive, position):
            var still: [Int] = []
            var completed = false
            for c in alive where position < candidates[c].count && candidates[c][position] == b {
                if position + 1 == candidates[c].count { completed = true } else { still.append(c) }
            }
            if completed {
                // A finished string ends with its quote; a finished bare literal (number, true…) may be
                // followed directly by the parent's next byte, so it pops without consuming anything more.
                out.append(s.next)
            }
            if !still.isEmpty { out.append(Stack(.literal(candidates: candidates, alive: still, position: position + 1), s.next)) }

        case let .number(integer, minimum, maximum, phase, text):
            stepNumber(s, integer: integer, minimum: minimum, maximum: maximum, phase: phase, text: text, b, into: &out)
        }
    }

    /// The first byte of a value of `node`, with `below` as the rest of the stack.
    static func startValue(_ node: SchemaNode, _ b: UInt8, below: Stack?, into out: inout [Stack?]) {
        switch node {
        case let .object(o):
            if b == UInt8(ascii: "{") { out.append(Stack(.objectKeyStart(o, seen: 0, first: true, space: false), below)) }
        case let .array(item, minItems, maxItems):
            if b == UInt8(ascii: "[") { out.append(Stack(.arrayStart(item, minItems: minItems, maxItems: maxItems), below)) }
        case let .string(choices, minLength, maxLength):
            guard b == UInt8(ascii: "\"") else { return }
            if let choices {
                let encoded = choices.map { c -> [UInt8] in
                    var s = ""
                    JSONValue.quote(c, into: &s)
                    return Array(s.utf8.dropFirst())
                }
                out.append(Stack(.literal(candidates: encoded, alive: Array(encoded.indices), position: 0), below))
            } else {
                out.append(Stack(.string(minLength: minLength, maxLength: maxLength, escape: 0, length: 0), below))
            }
        case let .number(integer, minimum, maximum):
            let start = Stack(.number(integer: integer, minimum: minimum, maximum: maximum, phase: .sign, text: []), below)
            step(start, b, into: &out)
        case .boolean:
            literal([Array("true".utf8), Array("false".utf8)], b, below: below, into: &out)
        case .null:
            literal([Array("null".utf8)], b, below: below, into: &out)
        case let .literal(values):
            literal(values.map { Array($0.compactDescription.utf8) }, b, below: below, into: &out)
        case let .anyOf(alternatives):
            for a in alternatives { startValue(a, b, below: below, into: &out) }
        case .any:
            let anyObject = ObjectSchema.anyObject
            for n: SchemaNode in [.object(anyObject), .array(item: .any, minItems: 0, maxItems: nil),
                                  .string(enum: nil, minLength: 0, maxLength: nil),
                                  .number(integer: false, minimum: nil, maximum: nil), .boolean, .null] {
                startValue(n, b, below: below, into: &out)
            }
        }
    }

    private static func literal(_ candidates: [[UInt8]], _ b: UInt8, below: Stack?, into out: inout [Stack?]) {
        step(Stack(.literal(candidates: candidates, alive: Array(candidates.indices), position: 0), below), b, into: &out)
    }

    private static func stepNumber(_ s: Stack, integer: Bool, minimum: Double?, maximum: Double?, phase: NumberPhase,
                                   text: [UInt8], _ b: UInt8, into out: inout [Stack?]) {
        func go(_ p: NumberPhase) {
            let t = text + [b]
            guard t.count <= 24 else { return }  // longer numbers are never needed and invite run-away digits
            if p == .exponent || p == .exponentStart || p == .exponentSign {
                // Exponents only for unbounded numbers, and at most two digits, so the value stays finite.
                guard minimum == nil, maximum == nil else { return }
                let digits = t.reversed().prefix { isDigit($0) }.count
                if digits > 2 { return }
            }
            guard feasible(t, p) else { return }
            out.append(Stack(.number(integer: integer, minimum: minimum, maximum: maximum, phase: p, text: t), s.next))
        }
        /// Whether some completion of the prefix `t` lies within [minimum, maximum].
        func feasible(_ t: [UInt8], _ p: NumberPhase) -> Bool {
            guard minimum != nil || maximum != nil else { return true }
            let negative = t.first == UInt8(ascii: "-")
            let body = String(decoding: negative ? Array(t.dropFirst()) : t, as: UTF8.self)
            guard let v = Double(body.hasSuffix(".") ? String(body.dropLast()) : body) else { return true }
            var lo: Double, hi: Double
            switch p {
            case .integer: (lo, hi) = (v, integer ? Double.infinity : Double.infinity)
            case .zero: (lo, hi) = (0, integer ? 0 : 1)
            case .fractionStart: (lo, hi) = (v, v + 1)
            case .fraction:
                let k = body.split(separator: ".").last?.count ?? 0
                (lo, hi) = (v, v + pow10(-k))
            default: return true
            }
            if negative { (lo, hi) = (-hi, -lo) }
            if let minimum, hi < minimum { return false }
            if let maximum, lo > maximum { return false }
            return true
        }
        let digit = isDigit(b)
        switch phase {
        case .sign:
            if b == UInt8(ascii: "-") {
                guard text.isEmpty else { return }
                if let minimum, minimum >= 0 { return }
                out.append(Stack(.number(integer: integer, minimum: minimum, maximum: maximum, phase: .sign, text: [b]), s.next))
                return
            }
            if b == UInt8(ascii: "0") { go(.zero) } else if digit { go(.integer) }
            return
        case .zero, .integer, .fraction, .exponent:
            if digit, phase != .zero { go(phase); return }
            if b == UInt8(ascii: "."), !integer, phase == .zero || phase == .integer { go(.fractionStart); return }
            if b == UInt8(ascii: "e") || b == UInt8(ascii: "E"), !integer, phase != .exponent { go(.exponentSign); return }
            // The number ends here: check its value, then hand the byte to the parent.
            guard let v = Double(String(decoding: text, as: UTF8.self)), v.isFinite else { return }
            if let minimum, v < minimum { return }
            if let maximum, v > maximum { return }
            pop(s, then: b, into: &out)
        case .fractionStart:
            if digit { go(.fraction) }
        case .exponentSign:
            if b == UInt8(ascii: "+") || b == UInt8(ascii: "-") { go(.exponentStart) } else if digit { go(.exponent) }
        case .exponentStart:
            if digit { go(.exponent) }
        }
    }
}

private func pow10(_ k: Int) -> Double {
    var r = 1.0
    for _ in 0..<abs(k) { r *= 10 }
    return k < 0 ? 1 / r : r
}

extension ObjectSchema {
    /// An object with any keys and values (for `SchemaNode.any`).
    static let anyObject = ObjectSchema(properties: [], required: [], additionalProperties: true)
}
