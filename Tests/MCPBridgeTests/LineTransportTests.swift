import Foundation
import MCPBridge
import SystemPackage
import Testing

/// Issue 14: the SDK's stdio reader cost 30 s of CPU on one 4 MB line (it rescanned its buffer after every
/// 4 KB read) and never finished a 50 MB one. `LineTransport` reads in linear time, bounds a line, and lets the
/// server answer requests the SDK would drop (an `id` that is an object).
@Suite struct LineTransportTests {
    /// A transport reading `input` and writing `output` (the pipes are returned so they stay open).
    static func transport(limit: Int) -> (LineTransport, FileHandle, [Pipe]) {
        let input = Pipe(), output = Pipe()
        let t = LineTransport(input: FileDescriptor(rawValue: input.fileHandleForReading.fileDescriptor),
                              output: FileDescriptor(rawValue: output.fileHandleForWriting.fileDescriptor), maximumMessage: limit)
        return (t, input.fileHandleForWriting, [input, output])
    }

    @Test func aFourMegabyteLineIsReadQuickly() async throws {
        let (transport, writer, pipes) = Self.transport(limit: 16 << 20)
        defer { withExtendedLifetime(pipes) {} }
        try await transport.connect()
        let line = Data(("{\"x\": \"" + String(repeating: "a", count: 4 << 20) + "\"}\n{\"y\": 1}\n").utf8)
        let started = Date()
        Thread { try? writer.write(contentsOf: line); try? writer.close() }.start()
        var received: [Int] = []
        for try await message in transport.receive() { received.append(message.count) }
        #expect(received == [(4 << 20) + 9, 8])
        #expect(Date().timeIntervalSince(started) < 3, "\(Date().timeIntervalSince(started)) s")
    }

    @Test func aLineOverTheLimitEndsTheStreamWithAnError() async throws {
        let (transport, writer, pipes) = Self.transport(limit: 1 << 20)
        defer { withExtendedLifetime(pipes) {} }
        try await transport.connect()
        // The reader stops at the limit; the writer's end then breaks, which must not kill the test process.
        signal(SIGPIPE, SIG_IGN)
        Thread { try? writer.write(contentsOf: Data(repeating: UInt8(ascii: "a"), count: 3 << 20)); try? writer.close() }.start()
        let stream = transport.receive()
        await #expect { for try await _ in stream {} } throws: { "\($0)".contains("passed the limit") }
    }

    @Test func requestsTheSDKWouldDropAreAnswered() throws {
        let objectID = try #require(MCPSkillServer.screen(Data(#"{"jsonrpc": "2.0", "id": {"a": 1}, "method": "tools/list"}"#.utf8)))
        #expect(String(decoding: objectID, as: UTF8.self).contains("-32600"))
        let notJSON = try #require(MCPSkillServer.screen(Data("hello".utf8)))
        #expect(String(decoding: notJSON, as: UTF8.self).contains("-32700"))
        #expect(MCPSkillServer.screen(Data(#"{"jsonrpc": "2.0", "id": 7, "method": "tools/list"}"#.utf8)) == nil)
        #expect(MCPSkillServer.screen(Data(#"{"jsonrpc": "2.0", "method": "notifications/initialized"}"#.utf8)) == nil)
    }
}
