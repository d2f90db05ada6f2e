import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import MCP
import SystemPackage

/// MCP's stdio transport (one JSON-RPC message per line) with a reader of linear cost and a bound. The SDK's
/// `StdioTransport` searches its whole buffer for a newline after every 4 KB read and sleeps 10 ms whenever the
/// pipe is empty, so one 4 MB line cost 30 s of CPU and a 50 MB plugin result never arrived. Here a dedicated
/// thread does blocking reads of 64 KB, each byte is looked at once, and a line longer than `maximumMessage`
/// ends the stream with `MCPBridgeError.messageTooLarge` instead of growing without end.
public actor LineTransport: Transport {
    public nonisolated let logger: Logger
    private let input: FileDescriptor, output: FileDescriptor
    private let maximumMessage: Int
    private let screen: (@Sendable (Data) -> Data?)?
    private let stream: AsyncThrowingStream<Data, Swift.Error>
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation
    private var connected = false

    /// `input` is read, `output` written. `screen`, given a received line, returns a reply to send in its place
    /// (a JSON-RPC error for a request the SDK would drop without an answer), or nil to pass the line on.
    public init(input: FileDescriptor, output: FileDescriptor, maximumMessage: Int = 64 << 20, label: String = "loupe.mcp.line",
                screen: (@Sendable (Data) -> Data?)? = nil) {
        (self.input, self.output, self.maximumMessage, self.screen) = (input, output, maximumMessage, screen)
        logger = Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() })
        (stream, continuation) = AsyncThrowingStream.makeStream()
    }

    public func connect() async throws {
        guard !connected else { return }
        connected = true
        let (fd, limit, continuation, screen, output) = (input.rawValue, maximumMessage, self.continuation, self.screen, self.output)
        let thread = Thread {
            Self.readLines(fd: fd, limit: limit, continuation: continuation) { line in
                if let screen, let reply = screen(line) { try? Self.writeAll(reply, to: output) } else { continuation.yield(line) }
            }
        }
        thread.name = "loupe-mcp-reader"
        thread.start()
    }

    public func disconnect() async {
        connected = false
        continuation.finish()
    }

    public func send(_ data: Data) async throws {
        guard connected else { throw MCPError.transportError(Errno(rawValue: ENOTCONN)) }
        try Self.writeAll(data, to: output)
    }

    public nonisolated func receive() -> AsyncThrowingStream<Data, Swift.Error> { stream }

    /// Writes `message` and a newline, whole.
    static func writeAll(_ message: Data, to output: FileDescriptor) throws {
        var bytes = [UInt8](message)
        bytes.append(UInt8(ascii: "\n"))
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(output.rawValue, $0.baseAddress, $0.count) }
            if n > 0 { done += n; continue }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN {
                var p = pollfd(fd: output.rawValue, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 1000)
                continue
            }
            throw MCPError.transportError(Errno(rawValue: errno))
        }
    }

    /// Reads `fd` until its end, handing each non-empty line (without its newline) to `deliver`; finishes
    /// `continuation` at the end, or with an error when a line passes `limit` bytes or reading fails.
    static func readLines(fd: Int32, limit: Int, continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation, deliver: (Data) -> Void) {
        var pending: [UInt8] = []
        var start = 0           // first byte of the line being read
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {   // a descriptor someone made non-blocking: wait for data instead of spinning
                    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    _ = poll(&p, 1, 1000)
                    continue
                }
                continuation.finish(throwing: MCPError.transportError(Errno(rawValue: errno)))
                return
            }
            // Only the new bytes are searched for newlines.
            var lineStart = start
            let old = pending.count
            pending.append(contentsOf: buffer[0..<n])
            for i in old..<pending.count where pending[i] == UInt8(ascii: "\n") {
                if i > lineStart { deliver(Data(pending[lineStart..<i])) }
                lineStart = i + 1
            }
            start = lineStart
            if pending.count - start > limit {
                continuation.finish(throwing: MCPBridgeError.messageTooLarge(bytes: pending.count - start, limit: limit))
                return
            }
            // Drop what was delivered once it is most of the buffer (amortised linear).
            if start > 0, start >= pending.count / 2 {
                pending.removeFirst(start)
                start = 0
            }
        }
        continuation.finish()
    }
}
