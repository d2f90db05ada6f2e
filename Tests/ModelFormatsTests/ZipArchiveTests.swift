import Foundation
import ModelFormats
import TestSupport
import Testing

@Suite struct ZipArchiveTests {
    static func temporary(_ name: String) -> String { NSTemporaryDirectory() + "loupe-\(UUID().uuidString)-\(name)" }

    static func extract(_ archive: ZipArchive, _ name: String) throws -> [UInt8] {
        guard let entry = archive.entry(named: name) else { throw ModelFormatError.missingEntry(format: "zip", name: name) }
        var out: [UInt8] = []
        try archive.extract(entry) { out.append(contentsOf: $0) }
        return out
    }

    @Test(arguments: [(ZipMaker.Compression.deflated, false), (.stored, false), (.deflated, true), (.stored, true)])
    func readsMembers(_ setup: (ZipMaker.Compression, Bool)) throws {
        var rng = SplitMix(seed: 42)
        let big = rng.bytes(3_000_000) + [UInt8](repeating: 7, count: 2_000_000)   // spans several read chunks
        let path = Self.temporary("a.zip")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ZipMaker.make(path, members: [("pkg/data/part01.bin", big), ("pkg/empty", []), ("pkg/small.txt", Array("hello".utf8))],
                          compression: setup.0, zip64: setup.1)
        let archive = try ZipArchive(path: path)
        #expect(archive.entries.map(\.name) == ["pkg/data/part01.bin", "pkg/empty", "pkg/small.txt"])
        #expect(try Self.extract(archive, "pkg/data/part01.bin") == big)
        #expect(try Self.extract(archive, "pkg/empty") == [])
        #expect(try archive.read(archive.entry(named: "pkg/small.txt")!) == Array("hello".utf8))
        #expect(archive.entry(named: "missing") == nil)
    }

    @Test func progressReportsUncompressedBytes() throws {
        let data = [UInt8](repeating: 1, count: 5_000_000)
        let path = Self.temporary("p.zip")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ZipMaker.make(path, members: [("x", data)])
        let archive = try ZipArchive(path: path)
        var seen: [UInt64] = []
        try archive.extract(archive.entries[0], progress: { seen.append($0) }) { _ in }
        #expect(seen.last == 5_000_000)
        #expect(seen == seen.sorted())
    }

    @Test func corruptDataIsDetected() throws {
        var rng = SplitMix(seed: 1)
        let data = rng.bytes(200_000)
        let path = Self.temporary("c.zip")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ZipMaker.make(path, members: [("m", data)], compression: .stored)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[100_000] ^= 0x55                                   // inside the stored member
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let archive = try ZipArchive(path: path)
        #expect(throws: ModelFormatError.self) { try Self.extract(archive, "m") }
    }

    @Test func truncatedAndGarbageFilesThrow() throws {
        var rng = SplitMix(seed: 2)
        let path = Self.temporary("t.zip")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ZipMaker.make(path, members: [("a", rng.bytes(50_000)), ("b", Array("tail".utf8))])
        let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let cutPath = Self.temporary("cut.zip")
        defer { try? FileManager.default.removeItem(atPath: cutPath) }
        for cut in stride(from: 0, to: whole.count, by: 997) {
            try Data(whole.prefix(cut)).write(to: URL(fileURLWithPath: cutPath))
            #expect(throws: ModelFormatError.self) { _ = try ZipArchive(path: cutPath) }
        }
        // Flipped bytes anywhere: either a typed error or correct data, never a crash.
        for _ in 0..<200 {
            var damaged = whole
            damaged[Int(rng.next() % UInt64(whole.count))] ^= UInt8(1 + rng.next() % 255)
            try Data(damaged).write(to: URL(fileURLWithPath: cutPath))
            do {
                let archive = try ZipArchive(path: cutPath)
                for entry in archive.entries where entry.uncompressedSize < 1_000_000 { _ = try archive.read(entry) }
            } catch is ModelFormatError {}
        }
        #expect(throws: ModelFormatError.self) { _ = try ZipArchive(path: "/nonexistent.zip") }
    }
}
