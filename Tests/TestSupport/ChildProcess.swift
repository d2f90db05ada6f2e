import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests, started with `posix_spawn` in its own process group and reaped with `waitpid`.
///
/// Foundation's `Process` learns that a child ended when a socket the child inherits closes, so a child that
/// leaves a daemon behind (tmux starting its server, Chromium's helpers) never "ends" for it, and
/// `waitUntilExit()` or `isRunning` polling hangs for as long as the daemon lives. This one asks the kernel, has a
/// deadline on every wait, and kills the whole group when the deadline passes.
public final class ChildProcess: @unchecked Sendable {
    /// Where a standard stream goes.
    public enum Stream: Sendable {
        case null
        case inherit
        /// Created (truncated) at this path.
        case file(String)
    }

    /// Thrown when a wait's deadline passes; the process group has been killed by then.
    public struct Timeout: Error, CustomStringConvertible {
        public let command: String
        public let seconds: Double
        public var description: String { "\(command) did not end within \(seconds) s; its process group was killed" }
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    public let pid: pid_t
    public let command: String
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable` (a path) with `arguments`; the environment defaults to this process's.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                stdout: Stream = .null, stderr: Stream = .null) throws {
        command = ([executable] + arguments).joined(separator: " ")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (fd, stream) in [(Int32(1), stdout), (Int32(2), stderr)] {
            switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            case .inherit: break
            case let .file(path): posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            }
        }
        // Nothing but the three streams reaches the child (nor anything it leaves running).
        // (glibc ≥ 2.34 has the call; Swift's Glibc module doesn't declare it.)
        guard let closeFrom = Self.addCloseFrom else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "posix_spawn_file_actions_addclosefrom_np is missing (glibc < 2.34)"])
        }
        _ = closeFrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)  // the tests ignore SIGPIPE; the child gets the default back
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "posix_spawn \(executable): \(String(cString: strerror(rc)))"])
        }
        pid = child
    }

    deinit { if status == nil { kill(-pid, SIGKILL); _ = reap(blocking: true) } }

    /// The exit code, or 128 + the signal that ended it; nil while it runs.
    public var status: Int32? { lock.withLock { exitStatus } ?? reap(blocking: false) }

    public var isRunning: Bool { status == nil }

    /// Sends `signal` to the child's whole process group.
    public func signal(_ signal: Int32) { if isRunning { kill(-pid, signal) } }

    /// Waits up to `seconds` for the child to end and returns its status; past that, kills its process group and
    /// throws ``Timeout``. Polls, so no thread of the cooperative pool is held.
    @discardableResult
    public func wait(seconds: Double) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let status { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        if let status { return status }
        kill(-pid, SIGKILL)
        _ = reap(blocking: true)
        throw Timeout(command: command, seconds: seconds)
    }

    private func reap(blocking: Bool) -> Int32? {
        lock.withLock {
            if let exitStatus { return exitStatus }
            var raw: Int32 = 0
            let r = waitpid(pid, &raw, blocking ? 0 : WNOHANG)
            if r == -1 && errno == ECHILD { exitStatus = -1; return exitStatus }  // reaped elsewhere: status unknown
            guard r == pid else { return nil }
            let signalled = raw & 0x7f
            exitStatus = signalled == 0 ? (raw >> 8) & 0xff : 128 + signalled
            return exitStatus
        }
    }

    /// Runs a command to its end (at most `seconds`) and returns its exit status and standard output.
    public static func output(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                              seconds: Double = 30) async throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-child-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let child = try ChildProcess(executable, arguments, environment: environment, stdout: .file(file))
        let status = try await child.wait(seconds: seconds)
        let data = FileManager.default.contents(atPath: file) ?? Data()
        return (status, String(decoding: data, as: UTF8.self))
    }
}
