import Foundation
import LLM
import ModelFormats
import TestSupport

/// Loads each model once per test process.
enum LoadedModels {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var models: [String: Transformer] = [:]

    static func transformer(_ name: String) throws -> Transformer {
        lock.lock()
        defer { lock.unlock() }
        if let m = models[name] { return m }
        let m = try Transformer(gguf: GGUFFile(path: Fixtures.modelPath(name)))
        models[name] = m
        return m
    }
}

/// Float32 values of a fixture `.npy` file (data at byte 128).
func readNPY(_ url: URL) throws -> [Float] {
    let data = try Data(contentsOf: url)
    return data.withUnsafeBytes { raw in
        let count = (raw.count - 128) / 4
        return (0..<count).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: 128 + 4 * $0, as: UInt32.self)) }
    }
}

func argmax(_ x: ArraySlice<Float>) -> Int {
    var best = x.startIndex
    for i in x.indices where x[i] > x[best] { best = i }
    return best - x.startIndex
}

func ints(_ any: Any?) -> [Int] { (any as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.intValue } }
func floats(_ any: Any?) -> [Float] { (any as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.floatValue } }
