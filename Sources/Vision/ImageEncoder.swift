import Foundation

/// Encodes images to files, choosing the format from the extension.
public enum ImageEncoder {
    /// Writes `.png`, `.jpg` or `.jpeg` atomically.
    public static func write(_ image: RGBImage, to path: String, jpegQuality: Int = 92) throws {
        let lower = path.lowercased()
        let bytes: [UInt8]
        if lower.hasSuffix(".png") {
            bytes = try PNGCodec.encode(image)
        } else if lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") {
            bytes = try JPEGCodec.encode(image.flattened(), quality: jpegQuality)
        } else {
            throw VisionError.invalidArgument(operation: "write image", reason: "\(path): extension must be .png, .jpg or .jpeg")
        }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw VisionError.unreadable(file: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
