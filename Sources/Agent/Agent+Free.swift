import Foundation
import SkillKit
import ToolSchema

extension Agent {
    /// A turn without a plan: up to `maxSteps` planner steps, each answering or making calls; the last must answer.
    /// A call identical to an earlier one of the turn is not run again (its result is above) and the next step
    /// must answer. A skill's `before` rules put the calls it needs first.
    func runFree(_ turn: Turn) async throws {
        let tools = registry.tools
        let examples = registry.entries.filter { $0.skill != nil && !$0.manifest.examples.isEmpty }.map { ($0.manifest.name, $0.manifest.examples) }
        var mustAnswer = false
        for step in 0..<maxSteps {
            if turn.isCancelled() { throw AgentError.cancelled }
            let last = step == maxSteps - 1 || mustAnswer
            let started = Date()
            let request = PlannerRequest(tools: tools, examples: examples, messages: messages, allowTools: !last && !tools.isEmpty)
            let decision = try await planner.plan(request, onText: { turn.events(.plannerText($0)) }, isCancelled: turn.isCancelled)
            try turn.emit(AgentStep(.plan, text: decision.text, milliseconds: Date().timeIntervalSince(started) * 1000, timing: decision.timing))
            if turn.isCancelled() { throw AgentError.cancelled }
            if decision.calls.isEmpty && decision.malformed.isEmpty || last {
                try finish(turn, answer: decision.text)
                return
            }
            let calls = withPrerequisites(decision.calls, after: turn.made.map(\.call))
            messages.append(AgentMessage(.assistant, decision.text, calls: calls))
            for bad in decision.malformed {
                try turn.emit(AgentStep(.error, text: bad))
                messages.append(AgentMessage(.tool, PromptTexts.errorObservation(skill: "call", error: bad, hint: texts.malformedFreeHint)))
            }
            for call in calls {
                // The same call twice in a turn gives the same result: do not run it again; the planner must answer.
                if let earlier = turn.made.first(where: { $0.call == call }) {
                    try turn.emit(AgentStep(.call, tool: call.name, arguments: call.arguments))
                    try turn.emit(AgentStep(.error, text: "\(call.name) was already called with these arguments in this turn"))
                    let handles = earlier.observation.artifacts.map(\.handle).joined(separator: ", ")
                    let error = AnswerTemplate.fill(texts.repeatedCallError, facts: ["handles": handles.isEmpty ? "" : " (\(handles))"])
                    messages.append(AgentMessage(.tool, PromptTexts.errorObservation(skill: call.name, error: error, hint: texts.repeatedCallHint)))
                    mustAnswer = true
                    continue
                }
                let asked = decision.calls.contains(call) ? "" : "made first: the next call's skill asks for it (skill.json \"before\")"
                _ = try await perform(call, note: asked, turn: turn)
            }
        }
    }

    /// `calls` with, before each, the calls its skill's manifest asks for first (`before`) that neither this turn
    /// nor this step has made.
    func withPrerequisites(_ calls: [ToolCall], after made: [ToolCall]) -> [ToolCall] {
        var out: [ToolCall] = []
        for call in calls {
            for rule in registry.entry(call.name)?.manifest.before ?? [] {
                guard let first = rule.call(before: call.arguments), registry.entry(first.name)?.skill != nil else { continue }
                if !(made + out + calls).contains(where: { SkillPrerequisite.covers($0, first) }) { out.append(first) }
            }
            out.append(call)
        }
        return out
    }
}
