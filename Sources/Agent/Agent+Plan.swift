import Foundation
import SkillKit
import ToolSchema

extension Agent {
    /// A turn that follows `plan`: each step's call is written by the planner under that step's narrowed schema
    /// and run; a planner mistake or a failing call gets one more try with the error as an observation; a step
    /// that finds nothing (or whose inputs an earlier step did not produce) ends the plan; then the answer.
    func runPlan(_ plan: Plan, turn: Turn, choiceTiming: PlannerTiming) async throws {
        let tools = registry.tools
        let examples = registry.entries.filter { $0.skill != nil && !$0.manifest.examples.isEmpty }.map { ($0.manifest.name, $0.manifest.examples) }
        var pendingChoice: PlannerTiming? = choiceTiming
        var plannerSteps = 0
        func ask(_ mode: PlannerRequest.Mode) async throws -> PlannerDecision {
            if turn.isCancelled() { throw AgentError.cancelled }
            let started = Date()
            let request = PlannerRequest(tools: tools, examples: examples, messages: messages, allowTools: true, mode: mode, plan: plan)
            var decision = try await planner.plan(request, onText: { turn.events(.plannerText($0)) }, isCancelled: turn.isCancelled)
            if let choice = pendingChoice {
                decision.timing.plan = choice.plan
                decision.timing.planProbability = choice.planProbability
                decision.timing.planMilliseconds = choice.planMilliseconds
                pendingChoice = nil
            }
            plannerSteps += 1
            try turn.emit(AgentStep(.plan, text: decision.text, milliseconds: Date().timeIntervalSince(started) * 1000, timing: decision.timing))
            return decision
        }

        if artifacts.item("img0") == nil, needsImage(plan) {
            // Nothing to look at: say so instead of failing a call.
            try finish(turn, answer: checker?.rules.noImage ?? "There is no image yet: attach one and ask again.")
            return
        }
        var results: [(call: ToolCall, observation: Observation)] = []   // the successful call of each step so far
        planSteps: for (index, step) in plan.steps.enumerated() {
            guard let tool = tools.first(where: { $0.name == step.skill }) else {
                try turn.emit(AgentStep(.error, text: "plan \(plan.name): skill \(step.skill) cannot run"))
                break
            }
            let bound = try PlanBinding.bind(step, tool: tool, earlier: results, images: imageChoices(for: turn.instruction))
            guard case .bound(var spec) = bound else { break }
            var succeeded = false
            for _ in 0..<2 where !succeeded && plannerSteps < maxSteps - 1 {
                let decision = try await ask(.call(spec))
                guard let call = decision.calls.first(where: { $0.name == spec.name }) else {
                    let why = decision.malformed.first ?? "no call of \(spec.name) was written"
                    try turn.emit(AgentStep(.error, text: why))
                    messages.append(AgentMessage(.tool, PromptTexts.errorObservation(skill: spec.name, error: why,
                                                                                     hint: AnswerTemplate.fill(texts.malformedCallHint, facts: ["skill": spec.name]))))
                    continue
                }
                messages.append(AgentMessage(.assistant, decision.text, calls: [call]))
                let observation = try await perform(call, turn: turn)
                succeeded = observation.error == nil
                if succeeded { results.append((call, observation)) }
                // An optional argument the error names (an invented box) is left out of the retry, which would
                // otherwise write the same call again.
                if let error = observation.error {
                    let culprits = PlanBinding.culprits(in: error, of: spec, call: call, request: turn.instruction, borrowed: results.map(\.call))
                    if !culprits.isEmpty { spec = try PlanBinding.without(culprits, from: spec) }
                }
            }
            guard succeeded else { break planSteps }
            // Nothing in the part an earlier step pointed at (no text in the box found): the step again on the
            // whole, without its optional arguments.
            if let last = results.last, last.observation.facts["situation"] == "none",
               case let .object(pairs) = last.call.arguments, pairs.contains(where: { step.optional.contains($0.key) }) {
                let wider = ToolCall(name: last.call.name, arguments: .object(pairs.filter { !step.optional.contains($0.key) }))
                let observation = try await perform(wider, note: texts.widenedNote, turn: turn)
                if observation.error == nil { results[results.count - 1] = (wider, observation) }
                else { turn.made.append(last) }   // the narrow result ("nothing there") still decides the answer
            }
            // Nothing found: the plan ends with the honest answer (the conventions: nothing is edited or read
            // in place of what was asked about). `optional` arguments only widen a step whose part held nothing.
            if index < plan.steps.count - 1, results.last?.observation.facts["situation"] == "none" { break }
        }
        pointToPassage(turn)
        // An answer its template alone gives (an edit, nothing found, a failure): the planner is not asked.
        if let checker, checker.templateOnly(observations: turn.made.map(\.observation)) {
            try finish(turn, answer: checker.templateAnswer(request: turn.instruction, observations: turn.made.map(\.observation)), checked: false)
            return
        }
        let decision = try await ask(.answer)
        try finish(turn, answer: decision.text)
    }

    /// When the turn ends in read text (situation `text`, lines in `data.lines[].text`) and the request asks
    /// about part of it, the lines it asks about become the fact `passage` and the situation `passage`, whose
    /// template quotes them (`PassageFinder`).
    func pointToPassage(_ turn: Turn) {
        guard let finder = checker?.rules.passages, var last = turn.made.last?.observation, last.error == nil,
              last.facts["situation"] == "text", let items = last.data["lines"]?.arrayValue else { return }
        let lines = items.compactMap { $0["text"]?.stringValue }
        // The earlier calls' words (detect's or retrieve's query): the object's own name is often printed on it.
        let queries = turn.made.dropLast().flatMap { made -> [String] in
            guard case let .object(pairs) = made.call.arguments else { return [] }
            return pairs.compactMap { $0.value.stringValue }   // handles (img1) name no word of the request
        }
        guard let passage = finder.passage(request: turn.instruction, textLines: lines, excluding: queries) else { return }
        last.facts["passage"] = passage
        last.facts["situation"] = "passage"
        turn.made[turn.made.count - 1].observation = last
    }

    /// Whether `plan`'s first step needs an image (its skill requires the `image` argument).
    func needsImage(_ plan: Plan) -> Bool {
        guard let first = plan.steps.first else { return false }
        return registry.entry(first.skill)?.manifest.tool.parameters["required"]?.arrayValue?.contains(.string("image")) == true
    }

    /// With no image open, the best plan of `choice` that uses skills and needs no image (retrieve, …), if the
    /// classifier gives it more than chance (one over the number of plans); else nil (the turn then says that
    /// an image is needed).
    func planWithoutImage(_ choice: PlanChooser.Choice) -> (Plan, Float)? {
        let chance = 1 / Float(max(1, choice.alternatives.count))
        return choice.alternatives.first { !$0.plan.steps.isEmpty && !needsImage($0.plan) && $0.probability > chance }
    }

    /// The images a step may use: those the request names (`img2`), else the user's image.
    func imageChoices(for instruction: String) -> [String] {
        let named = instruction.split { !($0.isLetter || $0.isNumber) }.map(String.init)
            .filter { $0.hasPrefix("img") && $0.count > 3 && $0.dropFirst(3).allSatisfy(\.isNumber) }
        let existing = named.filter { if case .image? = artifacts.item($0) { return true } else { return false } }
        if !existing.isEmpty { return Array(Set(existing)).sorted() }
        return artifacts.item("img0") == nil ? [] : ["img0"]
    }
}
