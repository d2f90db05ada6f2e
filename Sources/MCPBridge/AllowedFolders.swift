import Foundation
import Vision

/// The folders an MCP client may name image files in (`loupe serve-mcp --allow DIR`). A client can be another
/// agent that was prompt-injected, so a path is checked before the file system is touched: it must lie inside an
/// allowed folder both as written and after symbolic links are resolved, and be a regular file. Errors never
/// say whether a path outside the folders exists, and never quote a file's bytes.
public struct AllowedFolders: Sendable {
    /// The folders, absolute, symbolic links resolved, without a trailing slash.
    public let folders: [String]

    /// `folders` relative to `base` (the working folder); each must exist and be a folder.
    public init(_ folders: [String], base: String = FileManager.default.currentDirectoryPath) throws {
        self.folders = try folders.map { folder in
            let absolute = Self.absolute(folder, base: base)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), isDirectory.boolValue,
                  let real = Self.resolved(absolute) else {
                throw MCPBridgeError.notAllowed(path: folder, reason: "--allow \(folder) is not an existing folder")
            }
            return real == "/" ? "" : real
        }
    }

    /// The bytes of the image file at `path` (relative paths against `base`), or an error that names the path and
    /// says why it cannot be used, revealing nothing of files outside the folders.
    public func readImage(_ path: String, base: String = FileManager.default.currentDirectoryPath) throws -> [UInt8] {
        let shown = folders.map { $0.isEmpty ? "/" : $0 }.joined(separator: ", ")
        let outside = MCPBridgeError.notAllowed(path: path, reason: "is outside the allowed folders (\(shown)); start serve-mcp with --allow FOLDER to allow another")
        guard !path.contains("\0"), path.utf8.count <= 4096 else { throw outside }
        let absolute = Self.absolute(path, base: base)
        // As written first (no file-system access for a path outside), then with links resolved.
        guard inside(absolute) else { throw outside }
        guard let real = Self.resolved(absolute) else {
            throw MCPBridgeError.notAllowed(path: path, reason: "is not a readable file in the allowed folders")
        }
        guard inside(real) else { throw outside }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: real), attributes[.type] as? FileAttributeType == .typeRegular else {
            throw MCPBridgeError.notAllowed(path: path, reason: "is not a regular file")
        }
        // The format from the first bytes, before the whole file is read.
        guard let handle = FileHandle(forReadingAtPath: real) else {
            throw MCPBridgeError.notAllowed(path: path, reason: "is not a readable file in the allowed folders")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        guard ImageFormat(sniffing: head) != nil else { throw MCPBridgeError.notAllowed(path: path, reason: "is not a PNG or JPEG image") }
        if let size = attributes[.size] as? Int, size > ImageDecoder.maxFileBytes {
            throw MCPBridgeError.notAllowed(path: path, reason: "\(size) bytes is larger than the \(ImageDecoder.maxFileBytes)-byte limit")
        }
        let rest = (try? handle.readToEnd()) ?? Data()
        return head + [UInt8](rest)
    }

    func inside(_ absolute: String) -> Bool {
        folders.contains { absolute == $0 || absolute.hasPrefix($0 + "/") }
    }

    /// `path` made absolute against `base`, with `.` and `..` removed lexically.
    static func absolute(_ path: String, base: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: base, isDirectory: true)).standardizedFileURL.path
    }

    /// `path` with every symbolic link resolved (nil when it does not exist or cannot be resolved).
    static func resolved(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
