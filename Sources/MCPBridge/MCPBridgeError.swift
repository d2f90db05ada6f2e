/// Errors of the MCP bridge: a plugin that cannot start, times out, crashes or sends garbage, and plugin
/// registrations that cannot be used. The skills built on plugins turn these into error observations.
public enum MCPBridgeError: Error, CustomStringConvertible {
    /// The program in implementation.mcp.command cannot be found or started.
    case cannotStart(plugin: String, program: String, reason: String)
    /// The plugin did not answer within its timeout; it was stopped.
    case timedOut(plugin: String, what: String, seconds: Double)
    /// The plugin process ended while Loupe waited for it.
    case crashed(plugin: String, what: String, status: String, stderr: String)
    /// The plugin wrote something that is not a JSON-RPC message; it was stopped.
    case garbage(plugin: String, sample: String)
    /// The plugin answered with an MCP error (unknown tool, bad arguments, its own failure).
    case toolError(plugin: String, message: String)
    /// A tool list that Loupe cannot use (bad names, schemas it cannot compile, name clashes).
    case badTools(plugin: String, reason: String)
    /// The plugin list file (plugins.json) cannot be read or written.
    case pluginList(file: String, reason: String)
    /// A message (one line) longer than the transport accepts; the connection was closed.
    case messageTooLarge(bytes: Int, limit: Int)
    /// An MCP client named a file serve-mcp may not or cannot read (outside `--allow`, not a regular file, …).
    case notAllowed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotStart(plugin, program, reason): return "plugin \(plugin): cannot start \(program): \(reason)"
        case let .timedOut(plugin, what, seconds):
            return "plugin \(plugin) did not answer \(what) within \(seconds.formatted()) s and was stopped; it restarts on the next call"
        case let .crashed(plugin, what, status, stderr):
            return "plugin \(plugin) exited (\(status)) during \(what); it restarts on the next call" + (stderr.isEmpty ? "" : ". Its last output on stderr: \(stderr)")
        case let .garbage(plugin, sample):
            return "plugin \(plugin) wrote a line that is not JSON-RPC (\(sample.debugDescription)) and was stopped; it restarts on the next call"
        case let .toolError(plugin, message): return "plugin \(plugin) reported an error: \(message)"
        case let .badTools(plugin, reason): return "plugin \(plugin): \(reason)"
        case let .pluginList(file, reason): return "\(file): \(reason)"
        case let .notAllowed(path, reason): return "\(path) \(reason)"
        case let .messageTooLarge(bytes, limit):
            return "an MCP message of more than \(bytes) bytes passed the limit of \(limit) bytes; the connection was closed"
        }
    }
}
