import Foundation

/// Writes zip files with Python's `zipfile` module: an implementation independent of Loupe's
/// reader, so the reader is tested against archives it did not make.
public enum ZipMaker {
    public enum Compression: String, Sendable { case stored = "ZIP_STORED", deflated = "ZIP_DEFLATED" }

    /// Creates `path` holding `members` (name → bytes). `zip64` forces Zip64 records.
    public static func make(_ path: String, members: [(String, [UInt8])], compression: Compression = .deflated,
                            zip64: Bool = false) throws {
        let staging = NSTemporaryDirectory() + "loupe-zip-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        var pairs: [[String]] = []
        for (index, (name, bytes)) in members.enumerated() {
            let file = staging + "/\(index).bin"
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            pairs.append([name, file])
        }
        let listFile = staging + "/members.json"
        try JSONSerialization.data(withJSONObject: pairs).write(to: URL(fileURLWithPath: listFile))
        let script = """
        import json, sys, zipfile
        members = json.load(open(sys.argv[2]))
        with zipfile.ZipFile(sys.argv[1], "w", zipfile.\(compression.rawValue)) as z:
            for name, src in members:
                with z.open(name, "w", force_zip64=\(zip64 ? "True" : "False")) as out:
                    out.write(open(src, "rb").read())
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path, listFile]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "python3 zipfile failed for \(path)"])
        }
    }
}
