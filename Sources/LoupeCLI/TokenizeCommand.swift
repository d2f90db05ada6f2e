import ArgumentParser
import Foundation
import LLM

/// `loupe tokenize`: token ids of a text under a model's vocabulary.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize", abstract: "Print the token ids of TEXT under a model's vocabulary.")

    @Option(help: "Model name from the catalogue, or a path to a .gguf file.")
    var model = ModelResolver.defaultPlanner

    @Flag(help: "Also match control tokens written in the text (e.g. <|im_start|>).")
    var parseSpecial = false

    @Flag(help: "Print each token's text next to its id, one per line.")
    var pieces = false

    @Argument(help: "The text to tokenize.")
    var text: String

    func run() throws {
        let tokenizer = try ModelResolver.loadTokenizer(model)
        let ids = tokenizer.encode(text, parseSpecial: parseSpecial)
        if pieces {
            for id in ids {
                let piece = String(decoding: tokenizer.piece(id), as: UTF8.self)
                print("\(id)\t\(piece.debugDescription)")
            }
        } else {
            print(ids.map(String.init).joined(separator: " "))
        }
    }
}
