import Crypto
import Foundation

/// The keys and values of a prompt prefix saved to disk, named by a SHA-256 of the model identity and the
/// token ids, and checked again on load (identity, shape and tokens stored inside).
struct PromptCacheFile {
    let url: URL
    let identity: String
    let tokens: [Int32]
    static let magic: UInt32 = 0x564B_504C  // "LPKV"
    static let version: UInt32 = 1

    init(directory: URL, identity: String, tokens: [Int32]) {
        var hasher = SHA256()
        hasher.update(data: Data(identity.utf8))
        tokens.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        let name = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        url = directory.appendingPathComponent(name + ".kv")
        self.identity = identity
        self.tokens = tokens
    }

    func save(cache: KVCache, tokens: [Int32], layers: Int, width: Int) throws {
        let count = tokens.count
        guard cache.count >= count else { throw LLMError.promptCache("cache holds \(cache.count) positions, need \(count)") }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var header = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
        u32(Self.magic); u32(Self.version)
        u32(UInt32(identity.utf8.count)); header.append(contentsOf: Array(identity.utf8))
        u32(UInt32(layers)); u32(UInt32(width)); u32(UInt32(count))
        tokens.withUnsafeBytes { header.append(contentsOf: $0) }
        let temp = url.appendingPathExtension("partial-\(ProcessInfo.processInfo.processIdentifier)")
        guard FileManager.default.createFile(atPath: temp.path, contents: nil) else {
            throw LLMError.promptCache("cannot create \(temp.path)")
        }
        let handle = try FileHandle(forWritingTo: temp)
        do {
            try handle.write(contentsOf: header)
            for l in 0..<layers {
                try handle.write(contentsOf: Data(bytes: cache.keys[l], count: count * width * 4))
                try handle.write(contentsOf: Data(bytes: cache.values[l], count: count * width * 4))
            }
            try handle.close()
            _ = try? FileManager.default.removeItem(at: url)
            try FileManager.default.moveItem(at: temp, to: url)
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temp)
            throw LLMError.promptCache("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// Loads into `cache` (replacing its contents); returns the tokens. Throws if absent or not matching.
    func load(into cache: KVCache, layers: Int, width: Int) throws -> [Int32] {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        var offset = 0
        func u32() throws -> UInt32 {
            guard offset + 4 <= data.count else { throw LLMError.promptCache("\(url.lastPathComponent) is truncated") }
            defer { offset += 4 }
            return data.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
        }
        guard try u32() == Self.magic, try u32() == Self.version else { throw LLMError.promptCache("\(url.lastPathComponent) is not a prompt cache") }
        let idLength = Int(try u32())
        guard idLength <= 4096, offset + idLength <= data.count,
              String(decoding: data[offset..<(offset + idLength)], as: UTF8.self) == identity
        else { throw LLMError.promptCache("\(url.lastPathComponent) belongs to another model") }
        offset += idLength
        guard Int(try u32()) == layers, Int(try u32()) == width else { throw LLMError.promptCache("shape differs") }
        let count = Int(try u32())
        guard count == tokens.count, count <= cache.limit else { throw LLMError.promptCache("token count differs") }
        let tokenBytes = count * 4, layerBytes = count * width * 4
        guard offset + tokenBytes + 2 * layers * layerBytes == data.count else { throw LLMError.promptCache("size differs") }
        let stored: [Int32] = data.withUnsafeBytes { raw in
            (0..<count).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: Int32.self)) }
        }
        guard stored == tokens else { throw LLMError.promptCache("tokens differ (hash collision?)") }
        offset += tokenBytes
        try cache.reserve(count)
        data.withUnsafeBytes { raw in
            for l in 0..<layers {
                UnsafeMutableRawPointer(cache.keys[l]).copyMemory(from: raw.baseAddress! + offset, byteCount: layerBytes)
                offset += layerBytes
                UnsafeMutableRawPointer(cache.values[l]).copyMemory(from: raw.baseAddress! + offset, byteCount: layerBytes)
                offset += layerBytes
            }
        }
        cache.count = count
        return stored
    }
}
