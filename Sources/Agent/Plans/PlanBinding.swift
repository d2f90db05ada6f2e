import SkillKit
import ToolSchema

/// A plan step made concrete for one turn: the step's tool with its schema narrowed so the planner can only
/// write what the plan allows — arguments fixed by `set` become constants, `choose` becomes an enum of the
/// values an earlier step produced, `allow` becomes an enum of the listed values the schema accepts, `drop`ped
/// arguments disappear, and `image` may only name images that exist.
public enum PlanBinding {
    /// Why a step cannot be bound.
    public enum Outcome: Sendable {
        case bound(ToolSpec)
        /// An earlier step produced nothing this step needs (nothing found): the plan ends here.
        case nothingToUse(reference: String, key: String)
    }

    /// The value a reference is resolved against: the earlier call's arguments and its observation.
    public static func root(call: ToolCall, observation: Observation) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [("arguments", call.arguments)]
        members += observation.json.objectValue ?? []
        return .object(members)
    }

    /// The start of a call of `spec` that its schema fixes: the name and the leading constant arguments, e.g.
    /// `{"name": "edit", "arguments": {"image": "img0", "target_mask": "mask1",` (the comma only when a
    /// required argument is still to come).
    public static func callPrefix(_ spec: ToolSpec) -> String {
        var out = "{\"name\": "
        JSONValue.quote(spec.name, into: &out)
        out += ", \"arguments\": {"
        let properties = spec.parameters["properties"]?.objectValue ?? []
        let required = Set((spec.parameters["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var parts: [String] = []
        for (key, schema) in properties {
            guard let value = schema["const"] else { break }
            var k = ""
            JSONValue.quote(key, into: &k)
            parts.append(k + ": " + value.compactDescription)   // as the grammar spells a constant
        }
        out += parts.joined(separator: ", ")
        let rest = properties.dropFirst(parts.count).map(\.key)
        if !parts.isEmpty, rest.contains(where: required.contains) { out += "," }
        return out
    }

    /// The optional arguments of `spec` that `error` names in quotes, by key ("\"box\" must be …") or by value
    /// ("unknown colour \"person\""), and whose value in
    /// the failed `call` the request does not state (no number or word of it is in `request`: the planner made
    /// it up), the ones a retry should leave out rather than write again. A value the user asked for ("300px")
    /// stays, to be written better. Words an earlier step of the plan already used (`borrowed`: segment's query
    /// "puppy") do not count as stated: a colour "puppy" copies the object's name, not a value the user gave.
    public static func culprits(in error: String, of spec: ToolSpec, call: ToolCall, request: String, borrowed: [ToolCall] = []) -> [String] {
        let required = Set((spec.parameters["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        let used = Set(borrowed.flatMap { c -> [String] in
            guard case let .object(pairs) = c.arguments else { return [] }
            return pairs.compactMap { $0.value.stringValue?.lowercased() }.flatMap { $0.split { !($0.isLetter || $0.isNumber) }.map(String.init) }
        })
        let asked = Set(request.lowercased().split { !($0.isLetter || $0.isNumber || $0 == ".") }.map { String($0).trimmingCharacters(in: ["."]) })
            .subtracting(used)
        func stated(_ v: JSONValue) -> Bool {
            switch v {
            case let .array(items): return items.contains(where: stated)
            case let .number(n): return asked.contains(n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n))
            case let .integer(i): return asked.contains(String(i))
            case let .string(t):
                return t.lowercased().split { !($0.isLetter || $0.isNumber) }.contains { $0.count >= 2 && asked.contains(String($0)) }
            default: return false
            }
        }
        let lowerError = error.lowercased()
        return (spec.parameters["properties"]?.objectValue ?? []).map(\.key).filter { key in
            guard !required.contains(key), let value = call.arguments[key] else { return false }
            // Named by its key ("\"box\" must be …") or by its value ("unknown colour \"person\"").
            let named = error.contains("\"\(key)\"") || value.stringValue.map { !$0.isEmpty && lowerError.contains("\"\($0.lowercased())\"") } == true
            return named && !stated(value)
        }
    }

    /// `spec` without the properties `keys` (optional ones: a retry's narrower schema).
    public static func without(_ keys: [String], from spec: ToolSpec) throws -> ToolSpec {
        guard !keys.isEmpty, var properties = spec.parameters["properties"]?.objectValue else { return spec }
        properties.removeAll { keys.contains($0.key) }
        var parameters = spec.parameters.objectValue ?? []
        if let i = parameters.firstIndex(where: { $0.key == "properties" }) { parameters[i].value = .object(properties) }
        return try ToolSpec(name: spec.name, description: spec.description, parameters: .object(parameters))
    }

    /// Narrows `tool` for `step`. `earlier` holds this plan's steps made so far, in order; `images` the image
    /// handles the call may use (nil: any string; empty: none, so an optional image argument is dropped).
    public static func bind(_ step: Plan.Step, tool: ToolSpec, earlier: [(call: ToolCall, observation: Observation)],
                            images: [String]?) throws -> Outcome {
        guard var properties = tool.parameters["properties"]?.objectValue else { return .bound(tool) }
        var required = (tool.parameters["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        func values(_ reference: String) -> [JSONValue] {
            guard let ref = PlanReference(reference), ref.step <= earlier.count else { return [] }
            let made = earlier[ref.step - 1]
            guard made.observation.error == nil else { return [] }
            var seen: [JSONValue] = []
            for v in ref.values(in: root(call: made.call, observation: made.observation)) where !seen.contains(v) { seen.append(v) }
            return seen
        }
        func replace(_ key: String, with allowed: [JSONValue]) {
            guard let i = properties.firstIndex(where: { $0.key == key }) else { return }
            var schema: [(key: String, value: JSONValue)] = [allowed.count == 1 ? ("const", allowed[0]) : ("enum", .array(allowed))]
            if let d = properties[i].value["description"] { schema.append(("description", d)) }
            properties[i].value = .object(schema)
            if !required.contains(key) { required.append(key) }
        }
        properties.removeAll { step.drop.contains($0.key) }
        required.removeAll { step.drop.contains($0) }
        for key in step.require where properties.contains(where: { $0.key == key }) && !required.contains(key) { required.append(key) }
        for (key, listed) in step.allow {
            guard let i = properties.firstIndex(where: { $0.key == key }) else { continue }
            // Only values the skill's own schema accepts (a plugin's enum may be narrower than the plan's list).
            let accepted = properties[i].value["enum"]?.arrayValue.map { e in listed.filter(e.contains) } ?? listed
            guard !accepted.isEmpty else { continue }
            replace(key, with: accepted)
        }
        var constrained = Set<String>()
        for (key, reference, chosen) in step.set.map({ ($0.key, $0.reference, false) }) + step.choose.map({ ($0.key, $0.reference, true) }) {
            let v = values(reference)
            if v.isEmpty {
                // Nothing for it: an optional argument goes (the step runs without it), any other ends the plan.
                guard step.optional.contains(key) else { return .nothingToUse(reference: reference, key: key) }
                properties.removeAll { $0.key == key }
                required.removeAll { $0 == key }
                continue
            }
            replace(key, with: chosen ? v : [v[0]])
            constrained.insert(key)
        }
        if let images, !constrained.contains("image"), properties.contains(where: { $0.key == "image" }) {
            let wasRequired = required.contains("image")
            if images.isEmpty {
                // No image to pass: an optional image argument goes (a required one fails the call, as it should).
                if !wasRequired { properties.removeAll { $0.key == "image" } }
            } else {
                replace("image", with: images.map { .string($0) })
                if !wasRequired { required.removeAll { $0 == "image" } }
            }
        }
        // Fixed arguments first: the call then starts with everything the plan already knows.
        let fixed = properties.filter { $0.value["const"] != nil }
        properties = fixed + properties.filter { $0.value["const"] == nil }
        var parameters = tool.parameters.objectValue ?? []
        parameters.removeAll { $0.key == "properties" || $0.key == "required" }
        parameters.append(("properties", .object(properties)))
        if !required.isEmpty { parameters.append(("required", .array(required.map { .string($0) }))) }
        return .bound(try ToolSpec(name: tool.name, description: tool.description, parameters: .object(parameters)))
    }
}
