import Crypto
import Foundation
import Testing
import Vision

/// Decodes the shared fixture images and compares the RGB bytes with the SHA-256 that Pillow gave.
@Suite struct FixtureImageTests {
    static let imagesDir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/fixtures/vision").standardized

    struct Entry: Decodable {
        let file: String
        let width: Int
        let height: Int
        let decoded_rgb_sha256: String
    }

    struct Manifest: Decodable { let images: [Entry] }

    @Test func decodedPixelsMatchManifest() throws {
        let url = Self.imagesDir.appendingPathComponent("images/manifest.json")
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url))
        #expect(manifest.images.count >= 8)
        for entry in manifest.images {
            let image = try ImageDecoder().decode(file: Self.imagesDir.appendingPathComponent(entry.file).path)
            #expect(image.width == entry.width && image.height == entry.height, "\(entry.file)")
            let digest = SHA256.hash(data: image.pixels).map { String(format: "%02x", $0) }.joined()
            #expect(digest == entry.decoded_rgb_sha256, "\(entry.file)")
        }
    }
}
