import Foundation

/// Loads images from files or bytes, with a pixel cap checked before any pixel is decoded.
public struct ImageDecoder: Sendable {
    /// Default cap: 64 megapixels.
    public static let defaultMaxPixels = 64_000_000
    /// Files larger than this are refused before being read (a 64 MP PNG is well below it).
    public static let maxFileBytes = 1 << 30

    /// Images with more pixels than this are refused.
    public var maxPixels: Int

    public init(maxPixels: Int = ImageDecoder.defaultMaxPixels) {
        self.maxPixels = maxPixels
    }

    /// Decodes a PNG or JPEG file (EXIF orientation applied).
    public func decode(file path: String) throws -> RGBImage {
        try decode(try Self.readFile(path), name: path)
    }

    /// Decodes PNG or JPEG bytes; `name` is used in error messages.
    public func decode(_ bytes: [UInt8], name: String = "<memory>") throws -> RGBImage {
        switch ImageFormat(sniffing: bytes) {
        case .png: return try PNGCodec.decode(bytes, file: name, maxPixels: maxPixels)
        case .jpeg: return try JPEGCodec.decode(bytes, file: name, maxPixels: maxPixels)
        case nil:
            let leading = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw VisionError.unknownFormat(file: name, leadingBytes: leading.isEmpty ? "nothing: the file is empty" : leading)
        }
    }

    /// Reads a whole file, refusing directories, missing files and absurd sizes with a clear error.
    public static func readFile(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw VisionError.unreadable(file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw VisionError.unreadable(file: path, reason: "is a directory") }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes?[.size] as? Int, size > maxFileBytes {
            throw VisionError.unreadable(file: path, reason: "\(size) bytes is larger than the \(maxFileBytes)-byte limit")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VisionError.unreadable(file: path, reason: "permission denied or I/O error")
        }
        return [UInt8](data)
    }
}
