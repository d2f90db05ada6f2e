import Crypto
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
    /// Identifies the weights (keys the on-disk prompt cache): the catalogue SHA-256 when known, else a
    /// SHA-256 of the file size and its header and first tensor bytes.
    public let identity: String

    /// Loads the model at `path` (memory-mapped; weights are read on first use).
    public init(path: String, name: String? = nil, sha256: String? = nil, threads: Int = KernelPool.defaultThreads) throws {
        gguf = try GGUFFile(path: path)
        tokenizer = try BPETokenizer(gguf: gguf)
        transformer = try Transformer(gguf: gguf, threads: threads)
        guard tokenizer.count <= transformer.config.vocabulary else {
            throw LLMError.invalidConfiguration("tokenizer has \(tokenizer.count) tokens, output layer \(transformer.config.vocabulary)")
        }
        self.name = name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        if let sha256 {
            identity = "sha256:" + sha256
        } else {
            var hasher = SHA256()
            let buffer = gguf.source.buffer
            hasher.update(data: Data("\(buffer.count)".utf8))
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<min(buffer.count, gguf.dataOffset + (1 << 20))]))
            identity = "header-sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    public var config: ModelConfig { transformer.config }

    /// Parameters in the weight tensors.
    public var parameterCount: Int { gguf.tensors.reduce(0) { $0 + $1.elementCount } }

    /// Bytes of tensor data in the file.
    public var weightBytes: Int { gguf.tensors.reduce(0) { $0 + $1.byteCount } }
}
