import Foundation
import TestSupport
import Testing

/// `loupe chat` in a real pseudo-terminal (tmux, installed by scripts/test) with the default 0.5B planner:
/// two turns that call skills, `/image` switching the image, Ctrl-C during a long generation returning to the
/// prompt with the session intact.
@Suite struct ChatTerminalTests {
    static let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs a tmux command (through ``ChildProcess``: the first one starts tmux's server, which Foundation's
    /// `Process` would wait on forever).
    static func tmux(_ args: [String]) async throws -> String {
        try await ChildProcess.output(tmux!, args, seconds: 20).output
    }

    /// Polls the pane until `text` appears `count` times, up to `seconds`.
    static func waitFor(_ text: String, session: String, count: Int = 1, seconds: Double) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var pane = ""
        while Date() < deadline {
            pane = try await tmux(["capture-pane", "-t", session, "-p", "-S", "-200"])
            // A prompt is a line "> …", or ">" alone (tmux drops the space after it when nothing follows).
            let found = text == "> " ? pane.split(separator: "\n").filter { $0 == ">" || $0.hasPrefix("> ") }.count
                : pane.components(separatedBy: text).count - 1
            if found >= count { return pane }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("timed out waiting for \(text.debugDescription) (×\(count)); the pane shows:\n\(pane)")
        return pane
    }

    @Test(.enabled(if: tmux != nil, "needs tmux (scripts/test installs it)"))
    func twoTurnsImageSwitchAndInterrupt() async throws {
        let loupe = try Fixtures.builtProduct("loupe")
        let images = Fixtures.root.appendingPathComponent("vision/images")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-chat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let session = "loupe-test-\(UUID().uuidString.prefix(8))"
        let env = "LOUPE_SESSIONS=\(dir.path)/s.sqlite LOUPE_SKILLS=\(Fixtures.skillsFolder.path) LOUPE_PLUGINS=\(dir.path)/p.json"
        _ = try await Self.tmux(["new-session", "-d", "-s", session, "-x", "160", "-y", "60",
                           "env \(env) \(loupe.path) chat --image \(images.path)/portrait_obama.png; sleep 30"])
        do { try await Self.converse(session: session, images: images) } catch {
            _ = try? await Self.tmux(["kill-session", "-t", session])
            throw error
        }
        _ = try? await Self.tmux(["kill-session", "-t", session])
    }

    static func converse(session: String, images: URL) async throws {
        _ = try await Self.waitFor("Ask about the image", session: session, seconds: 120)

        _ = try await Self.tmux(["send-keys", "-t", session, "blur every face", "Enter"])
        var pane = try await Self.waitFor("> ", session: session, count: 2, seconds: 90)
        #expect(pane.contains("→ detect") || pane.contains("→ edit"), "\(pane)")

        _ = try await Self.tmux(["send-keys", "-t", session, "/image \(images.path)/ocr_kodak_card.png", "Enter"])
        pane = try await Self.waitFor("img0: ocr_kodak_card.png", session: session, seconds: 30)
        _ = try await Self.tmux(["send-keys", "-t", session, "what does the sign say?", "Enter"])
        pane = try await Self.waitFor("> ", session: session, count: 4, seconds: 90)
        #expect(pane.contains("→ ocr"), "\(pane)")
        #expect(pane.contains("Kodak") || pane.contains("Tiffen"), "the sign's text is shown: \(pane)")

        _ = try await Self.tmux(["send-keys", "-t", session, "tell me a very long story about a dragon, at least a thousand words", "Enter"])
        // The planner is still reading the prompt or writing (a turn takes seconds): interrupt it.
        try await Task.sleep(for: .milliseconds(400))
        _ = try await Self.tmux(["send-keys", "-t", session, "C-c"])
        pane = try await Self.waitFor("(stopped; the session goes on)", session: session, seconds: 60)
        _ = try await Self.tmux(["send-keys", "-t", session, "/history", "Enter"])
        pane = try await Self.waitFor("[turn 3] user: tell me a very long story", session: session, seconds: 30)
        #expect(pane.contains("[turn 1] user: blur every face"))
        _ = try await Self.tmux(["send-keys", "-t", session, "/quit", "Enter"])
    }
}
