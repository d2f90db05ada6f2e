/// The container format of an encoded image.
public enum ImageFormat: String, Sendable {
    case png, jpeg

    /// Recognises PNG and JPEG by their signatures.
    public init?(sniffing bytes: [UInt8]) {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { self = .png }
        else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { self = .jpeg }
        else { return nil }
    }
}
