import Foundation
import LLM
import ModelFormats
import TestSupport

/// Loads each model once per test process. A `LanguageModel` runs one forward pass at a time, and test
/// suites run in parallel, so `use` holds the model's lock for the whole body.
enum LoadedModels {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var models: [String: (LanguageModel, NSLock)] = [:]

    static func use<T>(_ name: String, _ body: (LanguageModel) throws -> T) throws -> T {
        lock.lock()
        let entry: (LanguageModel, NSLock)
        if let e = models[name] {
            entry = e
        } else {
            do {
                entry = (try LanguageModel(path: Fixtures.modelPath(name), name: name), NSLock())
            } catch {
                lock.unlock()
                throw error
            }
            models[name] = entry
        }
        lock.unlock()
        entry.1.lock()
        defer { entry.1.unlock() }
        return try body(entry.0)
    }
}

func argmax(_ x: ArraySlice<Float>) -> Int {
    var best = x.startIndex
    for i in x.indices where x[i] > x[best] { best = i }
    return best - x.startIndex
}

func ints(_ any: Any?) -> [Int] { (any as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.intValue } }
func floats(_ any: Any?) -> [Float] { (any as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.floatValue } }
