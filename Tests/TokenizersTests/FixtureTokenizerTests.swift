import Foundation
import ModelFormats
import TestSupport
import Testing
import Tokenizers

/// Token ids against llama.cpp's for every fixture string, with and without special-token parsing.
@Suite struct FixtureTokenizerTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func check(model: String) throws {
        let gguf = try GGUFFile(path: Fixtures.modelPath(model))
        let tokenizer = try BPETokenizer(gguf: gguf)
        let fixture = try Fixtures.llmJSON(model, "tokenizer.json")
        let vocab = fixture["vocab"] as! [String: Any]
        #expect(tokenizer.endOfGeneration == Set((vocab["eog_ids"] as! [Int]).map(Int32.init)))
        for case let c as [String: Any] in fixture["cases"] as! [Any] {
            let name = c["name"] as! String
            let text = String(decoding: Data(hexString: c["text_utf8_hex"] as! String), as: UTF8.self)
            let ids = (c["ids"] as! [Int]).map(Int32.init)
            let special = (c["ids_parse_special"] as! [Int]).map(Int32.init)
            #expect(tokenizer.encode(text) == ids, "\(model) \(name)")
            #expect(tokenizer.encode(text, parseSpecial: true) == special, "\(model) \(name) parse_special")
            let pieces = (c["pieces_hex"] as! [String])
            #expect(ids.map { hex(tokenizer.piece($0)) } == pieces, "\(model) \(name) pieces")
            #expect(tokenizer.decode(ids) == text, "\(model) \(name) decode")
            var stream = StreamingDetokenizer(tokenizer: tokenizer)
            var streamed = ""
            for id in ids {
                let chunk = stream.append(id)
                #expect(!chunk.unicodeScalars.contains("\u{FFFD}") || text.unicodeScalars.contains("\u{FFFD}"),
                        "\(model) \(name): streamed a partial character")
                streamed += chunk
            }
            streamed += stream.finish()
            #expect(streamed == text, "\(model) \(name) streaming")
        }
    }

    @Test func smollm2() throws { try Self.check(model: "smollm2-135m") }
    @Test func qwen05b() throws { try Self.check(model: "qwen2.5-coder-0.5b") }
}

extension Data {
    init(hexString: String) {
        var bytes: [UInt8] = []
        var it = hexString.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8 { c >= 97 ? c - 87 : (c >= 65 ? c - 55 : c - 48) }
        while let a = it.next(), let b = it.next() { bytes.append(nibble(a) << 4 | nibble(b)) }
        self.init(bytes)
    }
}
