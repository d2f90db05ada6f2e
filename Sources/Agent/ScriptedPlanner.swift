import Foundation
import ToolSchema

/// A planner that plays back fixed decisions, for tests and demonstrations: each step takes the next entry;
/// an entry may look at the request (e.g. to answer from the last observation).
public final class ScriptedPlanner: Planner, @unchecked Sendable {
    public typealias Step = @Sendable (PlannerRequest) -> PlannerDecision
    private let lock = NSLock()
    private var steps: [Step]
    /// The requests seen, in order.
    public private(set) var requests: [PlannerRequest] = []

    public init(_ steps: [Step]) { self.steps = steps }

    /// A step that calls `name` with `arguments` (JSON text).
    public static func call(_ name: String, _ arguments: String) -> Step {
        { _ in PlannerDecision(text: "", calls: [ToolCall(name: name, arguments: (try? JSONParser.parse(arguments)) ?? .object([]))]) }
    }

    /// A step that answers `text`.
    public static func answer(_ text: String) -> Step { { _ in PlannerDecision(text: text) } }

    public func plan(_ request: PlannerRequest, onText: @escaping @Sendable (String) -> Void, isCancelled: @escaping @Sendable () -> Bool) async throws -> PlannerDecision {
        let step: Step? = lock.withLock {
            requests.append(request)
            return steps.isEmpty ? nil : steps.removeFirst()
        }
        let decision = step?(request) ?? PlannerDecision(text: "(the script has no more steps)")
        if !decision.text.isEmpty { onText(decision.text) }
        return decision
    }
}
