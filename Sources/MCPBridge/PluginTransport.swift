import Foundation
import Logging
import MCP
import SystemPackage

/// The stdio transport to one plugin process (`LineTransport`: linear reading, bounded lines), with a check the SDK does not make: every line the plugin
/// writes must be JSON. A line that is not, or the end of the plugin's output, is reported through `onClosed`
/// so the connection can stop the plugin and fail the call in flight instead of waiting for its timeout.
actor PluginTransport: Transport {
    nonisolated let logger = Logger(label: "loupe.mcp.plugin", factory: { _ in SwiftLogNoOpLogHandler() })
    private let inner: LineTransport
    private let stream: AsyncThrowingStream<Data, Swift.Error>
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation
    private let onClosed: @Sendable (_ garbage: String?) async -> Void
    private var pump: Task<Void, Never>?

    /// `input` is the plugin's stdout, `output` its stdin.
    init(input: FileDescriptor, output: FileDescriptor, onClosed: @escaping @Sendable (_ garbage: String?) async -> Void) {
        inner = LineTransport(input: input, output: output, maximumMessage: Self.maximumMessage, label: "loupe.mcp.plugin")
        (stream, continuation) = AsyncThrowingStream.makeStream()
        self.onClosed = onClosed
    }

    /// Longest line a plugin may write (a result with several images, base64).
    static let maximumMessage = 64 << 20

    func connect() async throws {
        try await inner.connect()
        let source = inner.receive()
        let continuation = self.continuation, onClosed = self.onClosed
        // The stream handed to the client finishes only in disconnect(): the SDK's client loop re-reads a finished
        // stream without suspending, which would starve the cooperative pool until someone disconnects it.
        pump = Task {
            do {
                for try await line in source {
                    guard (try? JSONSerialization.jsonObject(with: line, options: [.fragmentsAllowed])) != nil else {
                        await onClosed(String(decoding: line.prefix(120), as: UTF8.self))
                        return
                    }
                    continuation.yield(line)
                }
            } catch {}
            await onClosed(nil)
        }
    }

    func disconnect() async {
        await inner.disconnect()
        continuation.finish()
        pump?.cancel()
    }

    func send(_ data: Data) async throws { try await inner.send(data) }

    func receive() -> AsyncThrowingStream<Data, Swift.Error> { stream }
}
