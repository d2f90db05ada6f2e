import Foundation
import LLM
import ModelFormats
import Tokenizers
import ModelStore

/// Turns a `--model` argument (a catalogue name such as `qwen2.5-coder-0.5b`, or a path to a .gguf file)
/// into a loaded language model, refusing files whose hash does not match the catalogue.
enum ModelResolver {
    static let defaultPlanner = "qwen2.5-coder-0.5b"

    static func path(for model: String) throws -> String {
        if model.hasSuffix(".gguf") || model.contains("/") {
            guard FileManager.default.fileExists(atPath: model) else { throw CLIError("no model file at \(model)") }
            return model
        }
        let store = try ModelStore.standard()
        guard store.catalog.models.contains(where: { $0.name == model }) else {
            let names = store.catalog.models.filter { $0.files.contains { $0.name.hasSuffix(".gguf") } }.map(\.name)
            throw CLIError("unknown model \"\(model)\"; language models: \(names.joined(separator: ", ")), or a path to a .gguf file")
        }
        return try store.installedFile(model: model).path
    }

    /// The catalogue's pinned SHA-256 of a model's file (nil for a path).
    static func pinnedHash(_ model: String) -> String? {
        guard !model.hasSuffix(".gguf"), !model.contains("/"), let store = try? ModelStore.standard() else { return nil }
        return store.catalog.models.first { $0.name == model }?.files.first?.sha256
    }

    static func load(_ model: String) throws -> LanguageModel {
        let path = try path(for: model)
        FileHandle.standardError.write(Data("loading \(model)…\n".utf8))
        return try LanguageModel(path: path, name: model.hasSuffix(".gguf") ? nil : model, sha256: pinnedHash(model))
    }

    static func loadTokenizer(_ model: String) throws -> BPETokenizer {
        try BPETokenizer(gguf: GGUFFile(path: path(for: model)))
    }
}

/// A user-facing error from a command: printed as is, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
