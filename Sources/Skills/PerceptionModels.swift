import Foundation
import Perception
import SkillKit

/// The networks the built-in skills share, each loaded on first use and then kept (loading PP-OCR or
/// MiniLM takes longer than running them). `path(model, file)` locates an installed model file.
public final class PerceptionModels: @unchecked Sendable {
    public typealias Locator = @Sendable (_ model: String, _ file: String?) throws -> String
    let locate: Locator
    private let lock = NSLock()
    private var cache: [String: Any] = [:]

    public init(locate: @escaping Locator) { self.locate = locate }

    private func shared<T>(_ key: String, _ make: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if let v = cache[key] as? T { return v }
        let v = try make()
        cache[key] = v
        return v
    }

    public func textReader() throws -> TextReader {
        try shared("ocr") {
            TextReader(networks: try PPOCRNetworks(detector: locate("ppocr-det", nil), recognizer: locate("ppocr-rec", nil),
                                                   classifier: locate("ppocr-cls", nil)))
        }
    }

    public func faces() throws -> BlazeFace { try shared("face") { try BlazeFace(path: locate("blazeface", nil)) } }
    public func palms() throws -> PalmDetector { try shared("palm") { try PalmDetector(path: locate("palm-detection", nil)) } }
    public func selfie() throws -> SelfieSegmenter { try shared("selfie") { try SelfieSegmenter(path: locate("selfie-segmentation", nil)) } }
    public func classifier() throws -> EfficientNetLite0 { try shared("effnet") { try EfficientNetLite0(path: locate("efficientnet-lite0", nil)) } }
    public func labels() throws -> ImageNetLabels {
        try shared("labels") {
            try ImageNetLabels(synsetsFile: locate("imagenet-labels", "imagenet_synsets.txt"),
                               lemmasFile: locate("imagenet-labels", "imagenet_synset_to_lemma.txt"))
        }
    }
    /// WordNet's noun database (Debian's `wordnet-base`; `LOUPE_WORDNET` names another folder).
    public func wordNet() throws -> WordNet {
        try shared("wordnet") { try WordNet(directory: ProcessInfo.processInfo.environment["LOUPE_WORDNET"] ?? WordNet.defaultDirectory) }
    }
    /// The ImageNet classes read through WordNet.
    public func meaning() throws -> ImageNetMeaning {
        let labels = try labels(), wordNet = try wordNet()
        return try shared("meaning") { try ImageNetMeaning(labels: labels, wordNet: wordNet) }
    }
    public func sentences() throws -> MiniLM {
        try shared("minilm") { try MiniLM(directory: URL(fileURLWithPath: locate("minilm-l6", nil)).deletingLastPathComponent()) }
    }

    /// Folder for derived data kept between runs (the label embeddings), or nil to keep nothing.
    public var cacheDirectory: URL?

    /// MiniLM embeddings of the 1,000 ImageNet class names: computed once (~7 s) and kept in
    /// `cacheDirectory/imagenet-label-embeddings.f32`, whose header records the label list it belongs to.
    public func labelEmbeddings() throws -> [[Float]] {
        let labels = try labels(), model = try sentences()
        return try shared("label-embeddings") {
            let dim = 384, count = labels.names.count
            let key = labels.names.joined(separator: "\n").utf8.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 }
            let file = cacheDirectory?.appendingPathComponent("imagenet-label-embeddings.f32")
            if let file, let data = FileManager.default.contents(atPath: file.path), data.count == 16 + count * dim * 4 {
                let header = data.prefix(16).withUnsafeBytes { (UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)),
                                                                UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))) }
                if header.0 == key, header.1 == UInt64(count * dim) {
                    let floats = data.dropFirst(16).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                    return (0..<count).map { Array(floats[($0 * dim)..<(($0 + 1) * dim)]) }
                }
            }
            let table = try labels.names.map { try model.embed($0) }
            if let file, table.allSatisfy({ $0.count == dim }) {
                var data = Data()
                withUnsafeBytes(of: key.littleEndian) { data.append(contentsOf: $0) }
                withUnsafeBytes(of: UInt64(count * dim).littleEndian) { data.append(contentsOf: $0) }
                for row in table { row.withUnsafeBytes { data.append(contentsOf: $0) } }
                try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? data.write(to: file, options: .atomic)  // a cache: failing to write only costs time next run
            }
            return table
        }
    }
}
