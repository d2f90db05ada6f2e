import Foundation
import ModelStore

/// Where the shared reference fixtures and the installed model weights are.
public enum Fixtures {
    /// `../shared/fixtures` next to the repository.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/fixtures").standardized

    /// `../shared/fixtures/llm/<model>/<file>`.
    public static func llm(_ model: String, _ file: String) -> URL {
        root.appendingPathComponent("llm").appendingPathComponent(model).appendingPathComponent(file)
    }

    /// Parsed JSON of an LLM fixture file.
    public static func llmJSON(_ model: String, _ file: String) throws -> [String: Any] {
        let data = try Data(contentsOf: llm(model, file))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return object
    }

    /// The float32 values of a NumPy `.npy` file (format 1.0, little-endian `<f4`): the data follows the
    /// 10-byte preamble and the header whose length is at byte 8.
    public static func npy(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        guard data.count >= 10 else { throw CocoaError(.fileReadCorruptFile) }
        let start = 10 + (Int(data[8]) | Int(data[9]) << 8)
        return data.withUnsafeBytes { raw in
            (0..<((data.count - start) / 4)).map { raw.loadUnaligned(fromByteOffset: start + 4 * $0, as: Float.self) }
        }
    }

    /// Path of an installed, verified model file (`loupe models pull NAME` installs it).
    public static func modelPath(_ name: String, file: String? = nil) throws -> String {
        try ModelStore.standard().installedFile(model: name, file: file).path
    }

    /// The repository's `skills/` folder.
    public static let skillsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("skills")

    /// The repository's root folder.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// An executable of this package built beside the test runner (`swift test` builds every product), e.g. `loupe`.
    public static func builtProduct(_ name: String) throws -> URL {
        let url = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "\(url.path) is not built: run `swift build -c release` first"])
        }
        return url
    }
}
