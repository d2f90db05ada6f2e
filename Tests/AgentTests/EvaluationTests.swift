import Agent
import Testing
import ToolSchema

/// Case parsing and the four scores on hand-made outcomes.
@Suite struct EvaluationTests {
    @Test func scoresToolsArgumentsFactsAndNoToolPrecision() throws {
        let blur = try Evaluation.Case(json: try JSONParser.parse("""
            {"id": "b", "kind": "edit", "image": "p.png", "instruction": "blur every face", "tools": ["detect", "edit"],
             "arguments": [{"query": "face"}, {"operation": "blur", "target": "face"}], "facts": [["blurred", "blur"]]}
            """), line: 1)
        let hi = try Evaluation.Case(json: try JSONParser.parse(#"{"instruction": "hi", "tools": [], "facts": [["hello", "hi"]]}"#), line: 2)
        let good = Evaluation.score(blur, calls: [("detect", try JSONParser.parse(#"{"image": "img0", "query": "Face"}"#)),
                                                  ("edit", try JSONParser.parse(#"{"image": "img0", "operation": "blur", "target": "faces"}"#))],
                                    answer: "I blurred the face.", seconds: 2)
        #expect(good.toolsCorrect && good.argumentsMatched == 3 && good.argumentsExpected == 3 && good.factsFound == 1)
        let wrong = Evaluation.score(blur, calls: [], answer: "Hello", seconds: 1)
        #expect(!wrong.toolsCorrect && wrong.argumentsMatched == 0 && wrong.argumentsExpected == 3)
        let greeting = Evaluation.score(hi, calls: [], answer: "Hello!", seconds: 1)
        let s = Evaluation.scores([good, wrong, greeting])
        #expect(s.toolSelection == 2.0 / 3 && s.arguments == 0.5 && s.factRecall == 2.0 / 3)
        #expect(s.noToolPrecision == 0.5, "two runs called nothing, one of them should have")
        #expect(hi.kind == "no-tool" && hi.id == "line-2")
        #expect(throws: AgentError.self) { try Evaluation.Case(json: try JSONParser.parse(#"{"tools": []}"#), line: 3) }
    }
}
