import Agent
import Foundation
import Testing

/// examples.md is read into examples and rendered in the planner's call format; every shipped examples.md parses.
@Suite struct FewShotExamplesTests {
    @Test func parsesAndRenders() {
        let text = """
            User: Blur every face.
            Call: {"name": "detect", "arguments": {"image": "img0", "query": "face"}}
            Observation: face 0.97 [0.41,0.12,0.58,0.39]
            face 0.9 [0.6,0.1,0.7,0.3]
            Answer: Done.

            User: hi
            Answer: Hello!
            """
        let examples = FewShotExamples.parse(text)
        #expect(examples.count == 2)
        #expect(examples[0].count == 4 && examples[0][2] == .observation("face 0.97 [0.41,0.12,0.58,0.39]\nface 0.9 [0.6,0.1,0.7,0.3]"))
        let rendered = FewShotExamples.render(examples[0])
        #expect(rendered.contains("assistant: <tool_call>\n{\"name\": \"detect\""))
        #expect(rendered.contains("tool: <tool_response>\n<observation>\nface 0.97"))
    }

    @Test func everyShippedExampleFileParses() throws {
        let skills = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("skills")
        for dir in try FileManager.default.contentsOfDirectory(atPath: skills.path) {
            guard let text = try? String(contentsOf: skills.appendingPathComponent("\(dir)/examples.md"), encoding: .utf8) else { continue }
            let examples = FewShotExamples.parse(text)
            #expect(!examples.isEmpty, "\(dir)")
            for e in examples {
                guard case .user = e.first else { Issue.record("\(dir): an example must start with User:"); continue }
                guard case .answer = e.last else { Issue.record("\(dir): an example must end with Answer: \(e)"); continue }
            }
        }
    }
}
