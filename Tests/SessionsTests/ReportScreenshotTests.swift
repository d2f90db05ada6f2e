import Agent
import Foundation
import Sessions
import TestSupport
import SkillKit
import Testing
import ToolSchema
import Vision

/// The HTML report opened in headless Chromium (installed by scripts/test): the screenshot shows the session's
/// images — a pure red img0 and the cyan img1 the inverting skill made.
@Suite struct ReportScreenshotTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: chromium != nil, "needs Chromium (scripts/test installs Debian's chromium)"))
    func reportShowsTheImagesInChromium() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SessionStore(path: dir.appendingPathComponent("s.sqlite").path)
        let agent = Agent(registry: try SessionStoreTests.registry(), planner: ScriptedPlanner([
            ScriptedPlanner.call("invert", #"{"image": "img0"}"#), ScriptedPlanner.answer("inverted: img1"),
        ]), texts: try PromptTexts.read(Fixtures.skillsFolder.appendingPathComponent("prompts.json")))
        agent.attach(try RGBImage(width: 240, height: 160, fill: (255, 0, 0)), name: "red.png")
        let recorder = try SessionRecorder(store: store, agent: agent, model: "scripted", title: "invert")
        agent.recorder = { try recorder.record($0) }
        _ = try await agent.run("invert it")
        let page = dir.appendingPathComponent("report.html")
        try SessionReport.html(try store.load(recorder.id)).write(to: page, atomically: true, encoding: .utf8)

        let shot = dir.appendingPathComponent("shot.png")
        // ChildProcess, not Process: Chromium's helper processes can outlive the browser.
        let chromium = try ChildProcess(Self.chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                                         "--window-size=1000,1400", "--screenshot=\(shot.path)", page.absoluteString])
        #expect(try await chromium.wait(seconds: 120) == 0)
        let image = try ImageDecoder().decode(file: shot.path)
        var red = 0, cyan = 0
        for i in 0..<image.pixelCount {
            let (r, g, b) = (image.pixels[3 * i], image.pixels[3 * i + 1], image.pixels[3 * i + 2])
            if r > 240 && g < 15 && b < 15 { red += 1 }
            if r < 15 && g > 240 && b > 240 { cyan += 1 }
        }
        // Each image is 240×160 = 38,400 pixels (drawn at least that large, less its border).
        #expect(red > 30_000 && cyan > 30_000, "red \(red), cyan \(cyan) pixels in the screenshot")
    }
}
