/// Errors raised by the model-file readers. Files are hostile input: every error names the format,
/// the field that was wrong and, where it helps, the likely cause.
public enum ModelFormatError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened or read.
    case io(path: String, reason: String)
    /// A field runs past the end of the data: the file is truncated or a length field is corrupt.
    case truncated(format: String, field: String, offset: UInt64, needed: UInt64, available: UInt64)
    /// A field holds a value the format does not allow.
    case invalidField(format: String, field: String, reason: String)
    /// A valid feature of the format that Loupe does not implement.
    case unsupported(format: String, feature: String)
    /// A named member or entry is not present.
    case missingEntry(format: String, name: String)
    /// Stored data does not match its checksum.
    case checksumMismatch(format: String, name: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case let .io(path, reason):
            return "cannot read \(path): \(reason)"
        case let .truncated(format, field, offset, needed, available):
            return "\(format): \(field) at offset \(offset) needs \(needed) bytes but only \(available) remain "
                + "(file truncated, or a length field is corrupt)"
        case let .invalidField(format, field, reason):
            return "\(format): invalid \(field): \(reason)"
        case let .unsupported(format, feature):
            return "\(format): unsupported \(feature)"
        case let .missingEntry(format, name):
            return "\(format): no entry named \(name)"
        case let .checksumMismatch(format, name, expected, actual):
            return "\(format): \(name) is corrupt (checksum \(actual), expected \(expected))"
        }
    }
}
