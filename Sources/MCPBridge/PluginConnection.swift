import Foundation
import MCP
import SkillKit
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// One plugin process and the MCP client talking to it over its stdin and stdout. The process starts on first
/// use; every request has the plugin's timeout. A plugin that times out, exits or writes garbage is stopped, the
/// request fails with an `MCPBridgeError`, and the next request starts a fresh process.
public actor PluginConnection {
    public let plugin: PluginManifest
    /// How many times the process has been started (for tests and `loupe skills list`).
    public private(set) var starts = 0
    /// The running process's id, or nil.
    public var processID: Int32? { live?.process.processIdentifier }
    /// Requests sent and not yet answered.
    public private(set) var inFlight = 0

    private struct Live {
        let process: Process
        let client: Client
        let pipes: [Pipe]
        let stderr: OutputTail
        let generation: Int
    }
    private var live: Live?
    private var generation = 0
    /// Why the last process ended, kept until the failed request reads it.
    private var ending: (generation: Int, status: String?, garbage: String?, stderr: String)?

    public init(plugin: PluginManifest) { self.plugin = plugin }

    deinit { if let p = live?.process, p.isRunning { kill(p.processIdentifier, SIGKILL) } }

    /// The plugin's tools (every page).
    public func listTools() async throws -> [Tool] {
        var tools: [Tool] = [], cursor: String? = nil
        repeat {
            let from = cursor
            let page = try await request("tools/list", seconds: max(plugin.timeoutSeconds, Self.startupSeconds)) { client in
                try await client.listTools(cursor: from)
            }
            tools += page.tools
            cursor = page.nextCursor
        } while cursor != nil && tools.count < 10_000
        return tools
    }

    /// Calls one tool; the result's `isError` is the tool's own verdict.
    public func callTool(_ name: String, arguments: [String: Value]) async throws -> (content: [Tool.Content], isError: Bool) {
        let result = try await request("tools/call \(name)") { client in try await client.callTool(name: name, arguments: arguments) }
        return (result.content, result.isError ?? false)
    }

    /// Stops the process (if running).
    public func stop() async {
        guard let current = live else { return }
        live = nil
        if current.process.isRunning { kill(current.process.processIdentifier, SIGKILL) }
        await current.client.disconnect()
    }

    // MARK: - Requests with a deadline

    private func request<T: Sendable>(_ what: String, seconds: Double? = nil, _ body: @escaping @Sendable (Client) async throws -> T) async throws -> T {
        let current = try await running()
        inFlight += 1
        defer { inFlight -= 1 }
        do {
            return try await deadline(what, generation: current.generation, seconds: seconds) { try await body(current.client) }
        } catch let error as MCPBridgeError {
            throw error
        } catch {
            throw await explain(error, what: what, generation: current.generation)
        }
    }

    /// How long a plugin may take to start and answer `initialize` and `tools/list` (interpreters can be slow to start).
    public static let startupSeconds = 30.0

    /// Runs `body`; after `seconds` (default: the plugin's timeout) stops the process (which fails `body`) and
    /// throws `timedOut`.
    private func deadline<T: Sendable>(_ what: String, generation: Int, seconds: Double? = nil, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let seconds = seconds ?? plugin.timeoutSeconds
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask { try await Task.sleep(for: .seconds(seconds)); return nil }
            defer { group.cancelAll() }
            if let first = try await group.next(), let value = first { return value }
            await self.stopIfCurrent(generation)
            throw MCPBridgeError.timedOut(plugin: plugin.name, what: what, seconds: seconds)
        }
    }

    /// Turns a failed request into the reason: the process ended, wrote garbage, or answered with an error.
    private func explain(_ error: any Error, what: String, generation: Int) async -> MCPBridgeError {
        // The termination handler runs on another thread; give it a moment to report a process that just died.
        for _ in 0..<50 where ending?.generation != generation && live?.generation == generation && live?.process.isRunning == false {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if let ending, ending.generation == generation {
            if let garbage = ending.garbage { return .garbage(plugin: plugin.name, sample: garbage) }
            return .crashed(plugin: plugin.name, what: what, status: ending.status ?? "its output closed", stderr: ending.stderr)
        }
        if let live, live.generation == generation, !live.process.isRunning {
            let status = Self.describe(live.process)
            await stopIfCurrent(generation)
            return .crashed(plugin: plugin.name, what: what, status: status, stderr: live.stderr.text)
        }
        if let mcp = error as? MCPError { return .toolError(plugin: plugin.name, message: mcp.localizedDescription) }
        return .toolError(plugin: plugin.name, message: "\(error)")
    }


    // MARK: - Process life

    private func running() async throws -> Live {
        if let live, live.process.isRunning { return live }
        await stop()
        generation += 1
        let gen = generation
        let program = try resolveProgram()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(plugin.command.dropFirst())
        process.currentDirectoryURL = plugin.folder
        let toChild = Pipe(), fromChild = Pipe(), errors = Pipe()
        process.standardInput = toChild
        process.standardOutput = fromChild
        process.standardError = errors
        let tail = OutputTail()
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil } else { tail.append(data) }
        }
        process.terminationHandler = { [weak self] p in
            let status = Self.describe(p)
            Task { await self?.ended(generation: gen, status: status, garbage: nil) }
        }
        _ = Self.ignoreBrokenPipes
        do { try process.run() } catch {
            throw MCPBridgeError.cannotStart(plugin: plugin.name, program: program, reason: error.localizedDescription)
        }
        let transport = PluginTransport(
            input: FileDescriptor(rawValue: fromChild.fileHandleForReading.fileDescriptor),
            output: FileDescriptor(rawValue: toChild.fileHandleForWriting.fileDescriptor)
        ) { [weak self] garbage in await self?.ended(generation: gen, status: nil, garbage: garbage) }
        let client = Client(name: "loupe", version: "0.1")
        let started = Live(process: process, client: client, pipes: [toChild, fromChild, errors], stderr: tail, generation: gen)
        live = started
        starts += 1
        do {
            _ = try await deadline("initialize", generation: gen, seconds: max(plugin.timeoutSeconds, Self.startupSeconds)) {
                try await client.connect(transport: transport)
            }
        } catch let error as MCPBridgeError {
            throw error
        } catch {
            throw await explain(error, what: "initialize", generation: gen)
        }
        return started
    }

    /// The process ended or its output closed (`garbage` nil), or it wrote a non-JSON line.
    private func ended(generation gen: Int, status: String?, garbage: String?) async {
        guard let current = live, current.generation == gen else { return }
        var status = status
        if status == nil, garbage == nil {
            // The output closed: the process is usually exiting; wait briefly for its status.
            for _ in 0..<50 where current.process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
            if !current.process.isRunning { status = Self.describe(current.process) }
        }
        guard live?.generation == gen else { return }
        ending = (gen, status, garbage, current.stderr.text)
        await stop()
    }

    private func stopIfCurrent(_ gen: Int) async {
        if live?.generation == gen { await stop() }
    }

    /// A path with a slash as written (already absolute); a bare name beside this executable, then on PATH.
    private func resolveProgram() throws -> String {
        let name = plugin.command[0]
        let fm = FileManager.default
        if name.contains("/") {
            guard fm.isExecutableFile(atPath: name) else {
                throw MCPBridgeError.cannotStart(plugin: plugin.name, program: name, reason: "no executable file there (build it first?)")
            }
            return name
        }
        var dirs = [URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path]
        dirs += (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for dir in dirs where fm.isExecutableFile(atPath: (dir as NSString).appendingPathComponent(name)) {
            return (dir as NSString).appendingPathComponent(name)
        }
        throw MCPBridgeError.cannotStart(plugin: plugin.name, program: name, reason: "not found beside loupe (\(dirs[0])) nor on PATH")
    }

    private static func describe(_ p: Process) -> String {
        p.terminationReason == .uncaughtSignal ? "killed by signal \(p.terminationStatus)" : "exit status \(p.terminationStatus)"
    }

    /// A plugin that dies leaves a closed pipe: writing to it must fail with EPIPE, not kill Loupe.
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()
}
