/// Errors raised by image decoding, encoding and processing.
public enum VisionError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read at all.
    case unreadable(file: String, reason: String)
    /// The bytes are not a PNG or JPEG.
    case unknownFormat(file: String, leadingBytes: String)
    /// The file is a PNG or JPEG but is damaged (truncated, bad checksum, bad data).
    case corrupt(file: String, format: String, reason: String)
    /// The image has more pixels than the configured cap; refused before decoding.
    case tooLarge(file: String, width: Int, height: Int, maxPixels: Int)
    /// Decoding would need more memory than `MemoryBudget` allows (refused before allocating).
    case overBudget(file: String, width: Int, height: Int, bytes: Int, budget: Int)
    /// Width or height is zero, negative, or the pixel buffer would overflow.
    case invalidDimensions(width: Int, height: Int)
    /// Pixel data does not match the dimensions.
    case bufferMismatch(expected: Int, actual: Int)
    /// Encoding failed.
    case encodeFailed(format: String, reason: String)
    /// An operation got an argument it cannot use (an empty crop, a bad mean/std, …).
    case invalidArgument(operation: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "cannot read image \(file): \(reason)"
        case let .unknownFormat(file, leading):
            return "\(file) is not a PNG or JPEG image (starts with \(leading))"
        case let .corrupt(file, format, reason):
            return "\(file): damaged \(format) (\(reason)); the file may be truncated or corrupt"
        case let .tooLarge(file, width, height, cap):
            return "\(file) is \(width)×\(height) = \(width * height) pixels, above the limit of \(cap); "
                + "raise the limit (--max-pixels) or downscale the image first"
        case let .overBudget(file, width, height, bytes, budget):
            func gb(_ b: Int) -> String { b == Int.max ? "more than the address space" : String(format: "%.1f GB", Double(b) / 1e9) }
            return "\(file) declares \(width)×\(height) pixels: decoding it would need \(gb(bytes)), more than the memory budget of "
                + "\(gb(budget)) (half this machine's memory); the header may be damaged or hostile, or the image must be downscaled first"
        case let .invalidDimensions(width, height):
            return "invalid image dimensions \(width)×\(height)"
        case let .bufferMismatch(expected, actual):
            return "pixel buffer has \(actual) bytes, expected \(expected)"
        case let .encodeFailed(format, reason):
            return "cannot encode \(format): \(reason)"
        case let .invalidArgument(operation, reason):
            return "\(operation): \(reason)"
        }
    }
}
