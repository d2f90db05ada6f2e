import Foundation
import ModelFormats
import Tensor
import Tokenizers

/// A GGUF language model ready to run: the mapped file, its tokenizer and its transformer.
public final class LanguageModel: @unchecked Sendable {
    public let gguf: GGUFFile
    public let tokenizer: BPETokenizer
    public let transformer: Transformer
    /// A short name for messages (file name without extension unless given).
    public let name: String

    /// Loads the model at `path` (memory-mapped; weights are read on first use).
    public init(path: String, name: String? = nil, threads: Int = KernelPool.defaultThreads) throws {
        gguf = try GGUFFile(path: path)
        tokenizer = try BPETokenizer(gguf: gguf)
        transformer = try Transformer(gguf: gguf, threads: threads)
        guard tokenizer.count <= transformer.config.vocabulary else {
            throw LLMError.invalidConfiguration("tokenizer has \(tokenizer.count) tokens, output layer \(transformer.config.vocabulary)")
        }
        self.name = name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    public var config: ModelConfig { transformer.config }

    /// Parameters in the weight tensors.
    public var parameterCount: Int { gguf.tensors.reduce(0) { $0 + $1.elementCount } }

    /// Bytes of tensor data in the file.
    public var weightBytes: Int { gguf.tensors.reduce(0) { $0 + $1.byteCount } }
}
