import TestSupport
import Testing
import ToolSchema

@Suite struct JSONTests {
    @Test func parsesAndSerializesLikePython() throws {
        let v = try JSONParser.parse(#"{"b": [1, 2.5, true, null], "a": "x\"y\n\u00e9", "n": -3}"#)
        #expect(v.description == #"{"b": [1, 2.5, true, null], "a": "x\"y\né", "n": -3}"#)
        #expect(v.compactDescription == #"{"b":[1,2.5,true,null],"a":"x\"y\né","n":-3}"#)
        #expect(try JSONParser.parse("\"\\ud83d\\ude00\"") == .string("😀"))
    }

    @Test func rejectsBadJSONWithOffsets() {
        for bad in ["{", "{\"a\" 1}", "[1,]", "01", "\"\u{01}\"", "{\"a\":1,\"a\":2}", "tru", "1 2", String(repeating: "[", count: 100)] {
            #expect(throws: ToolSchemaError.self, "\(bad)") { try JSONParser.parse(bad) }
        }
    }
}

@Suite struct SchemaTests {
    static let detect = try! ToolSpec(json: JSONParser.parse(#"""
        {"name": "detect", "description": "Find objects.", "parameters": {"type": "object",
         "properties": {"image": {"type": "string"}, "query": {"type": "string", "minLength": 1},
                        "k": {"type": "integer", "minimum": 1, "maximum": 20},
                        "mode": {"enum": ["fast", "best"]},
                        "box": {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1}, "minItems": 4, "maxItems": 4},
                        "region": {"anyOf": [{"type": "object", "properties": {"mask": {"type": "string"}}, "required": ["mask"]},
                                             {"type": "object", "properties": {"box": {"type": "array", "items": {"type": "number"}}}, "required": ["box"]}]},
                        "flag": {"type": "boolean"}},
         "required": ["image", "query"]}}
        """#))

    @Test func validationNamesTheArgument() throws {
        let ok = try JSONParser.parse(#"{"image": "img0", "query": "face", "k": 3, "box": [0, 0.5, 1, 1]}"#)
        try Self.detect.schema.validate(ok)
        func message(_ text: String) -> String {
            do { try Self.detect.schema.validate(try JSONParser.parse(text)); return "" } catch { return "\(error)" }
        }
        #expect(message(#"{"image": "img0"}"#).contains("query"))
        #expect(message(#"{"image": "img0", "query": "a", "k": 50}"#).contains("k"))
        #expect(message(#"{"image": "img0", "query": "a", "colour": 1}"#).contains("unknown argument"))
        #expect(message(#"{"image": "img0", "query": "a", "mode": "slow"}"#).contains("fast"))
        #expect(message(#"{"image": 3, "query": "a"}"#).contains("expected a string"))
    }

    static func accepts(_ node: SchemaNode, _ text: String) -> Bool {
        var m = SchemaMatcher(node)
        return m.advance(Array(text.utf8)) && m.isComplete
    }

    @Test func matcherAcceptsValidAndRejectsInvalid() {
        let s = Self.detect.schema
        #expect(Self.accepts(s, #"{"image": "img0", "query": "face . person"}"#))
        #expect(Self.accepts(s, #"{"query":"a\"b\\c\u00e9","image":"img1","k":20,"mode":"best","flag":false}"#))
        #expect(Self.accepts(s, #"{"image": "img0", "query": "x", "region": {"box": [0.1, 2e-1]}, "box": [0, 0, 1, 1]}"#))
        #expect(!Self.accepts(s, #"{"image": "img0"}"#))                          // missing required
        #expect(!Self.accepts(s, #"{"image": "img0", "query": ""}"#))              // minLength
        #expect(!Self.accepts(s, #"{"image": "img0", "query": "a", "k": 21}"#))    // maximum
        #expect(!Self.accepts(s, #"{"image": "img0", "query": "a", "k": 1.5}"#))   // integer
        #expect(!Self.accepts(s, #"{"image": "img0", "query": "a", "mode": "slow"}"#))
        #expect(!Self.accepts(s, #"{"image": "img0", "query": "a", "image": "b"}"#)) // repeated key
        #expect(!Self.accepts(s, #"{"image": "img0", "query": "a", "box": [0, 0, 1]}"#))
        #expect(!Self.accepts(s, #"{"image": "img0", "query": "a", "other": 1}"#))
        #expect(!Self.accepts(s, "{\"image\": \"a\nb\", \"query\": \"a\"}"))
    }

    /// Random walks through the matcher: every complete document it allows must parse and validate.
    @Test func everyCompletedRandomWalkValidates() throws {
        var rng = SplitMix(seed: 42)
        let alphabet = Array(#"{}[]",: -.0123456789eE+aqxyzimgboxeruqfalsetrunlkmd\"#.utf8) + [0xC3, 0xA9]
        var completed = 0
        for _ in 0..<300 {
            var m = SchemaMatcher(Self.detect.schema)
            var bytes: [UInt8] = []
            while !m.isComplete, bytes.count < 400 {
                let options = alphabet.filter { var c = m; return c.advance($0) }
                guard !options.isEmpty else { Issue.record("dead end after \(String(decoding: bytes, as: UTF8.self))"); break }
                // Prefer closing characters as the document grows, so walks finish.
                let closers = options.filter { [UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: "\"")].contains($0) }
                let pick = !closers.isEmpty && bytes.count > 60 && rng.next() % 3 == 0
                    ? closers[Int(rng.next() % UInt64(closers.count))] : options[Int(rng.next() % UInt64(options.count))]
                m.advance(pick)
                bytes.append(pick)
            }
            guard m.isComplete else { continue }
            completed += 1
            let text = String(decoding: bytes, as: UTF8.self)
            let value = try JSONParser.parse(text)
            do { try Self.detect.schema.validate(value) } catch { Issue.record("\(text): \(error)") }
        }
        #expect(completed > 100)
    }
}
