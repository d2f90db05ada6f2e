import Agent
import Testing
import ToolSchema

/// Case parsing and the scores on hand-made outcomes: alternatives in expected arguments, arguments counted over
/// cases with the right skills, no-tool precision and recall, answers with internal text, the median.
@Suite struct EvaluationTests {
    @Test func scoresToolsArgumentsFactsAndNoTool() throws {
        let blur = try Evaluation.Case(json: try JSONParser.parse("""
            {"id": "b", "kind": "edit", "image": "p.png", "instruction": "blur every face", "tools": ["detect", "edit"],
             "arguments": [{"query": "face|head"}, {"operation": "blur"}], "facts": [["blurred", "blur"]]}
            """), line: 1)
        let hi = try Evaluation.Case(json: try JSONParser.parse(#"{"instruction": "hi", "tools": [], "facts": [["hello", "hi"]]}"#), line: 2)
        let good = Evaluation.score(blur, calls: [("detect", try JSONParser.parse(#"{"image": "img0", "query": "Heads"}"#)),
                                                  ("edit", try JSONParser.parse(#"{"image": "img0", "operation": "blur", "target_mask": "mask1"}"#))],
                                    answer: "I blurred the face.", seconds: 2)
        #expect(good.toolsCorrect && good.argumentsMatched == 2 && good.argumentsExpected == 2 && good.factsFound == 1)
        let wrongArgs = Evaluation.score(blur, calls: [("detect", try JSONParser.parse(#"{"query": "dog"}"#)), ("edit", .object([]))],
                                         answer: "done", seconds: 3)
        #expect(wrongArgs.argumentsMatched == 0 && wrongArgs.argumentsExpected == 2 && wrongArgs.argumentMisses.count == 2)
        #expect(wrongArgs.argumentMisses.first == #"query: wanted "face|head", got "dog""#)
        let wrongTools = Evaluation.score(blur, calls: [], answer: "Hello", seconds: 1)
        #expect(!wrongTools.toolsCorrect && wrongTools.argumentsExpected == 0, "arguments count only where the skills are right")
        let greeting = Evaluation.score(hi, calls: [], answer: "Hello!", seconds: 1)
        let called = Evaluation.score(hi, calls: [("tag", .object([]))], answer: "<observation>", seconds: 5, markers: ["<observation"])
        #expect(called.internalText && !greeting.internalText)
        let s = Evaluation.scores([good, wrongArgs, wrongTools, greeting, called])
        #expect(s.toolSelection == 3.0 / 5 && s.arguments == 0.5)
        #expect(s.noToolPrecision == 0.5, "two runs called nothing, one of them should have")
        #expect(s.noToolRecall == 0.5, "of the two no-tool cases, one called nothing")
        #expect(s.internalText == 1 && s.medianSeconds == 2)
        #expect(hi.kind == "no-tool" && hi.id == "line-2")
        #expect(throws: AgentError.self) { try Evaluation.Case(json: try JSONParser.parse(#"{"tools": []}"#), line: 3) }
    }

    @Test func internalTextIsFoundByShapeTooButNotInTheUsersOwnText() {
        func shown(_ answer: String, _ markers: [String] = [], userText: [String] = []) -> String? {
            Evaluation.internalMarker(answer, markers: markers, userText: userText)
        }
        #expect(shown("The dog is at [0.1,0.2,0.5,0.9].") != nil)
        #expect(shown("<|im_start|>assistant") == "<|")
        #expect(shown("call {\"name\": \"ocr\"}") == "{\"")
        #expect(shown("It costs 4 [four] euros; 2 < 3.") == nil)
        #expect(shown("error: nothing to edit", ["error:"]) == "error:")
        // The screen in the photo says it: that is what the user asked to read.
        #expect(shown("It says: \"Error: disk full\".", ["error:"], userText: ["Error: disk full / OK"]) == nil)
        #expect(shown("It says: \"<Back\".", userText: ["<Back"]) == nil)
        #expect(shown("error: no text", ["error:"], userText: ["Welcome"]) == "error:")
    }
}
