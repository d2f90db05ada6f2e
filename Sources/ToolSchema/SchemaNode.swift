/// A JSON Schema compiled to the subset Loupe supports for both validation and constrained decoding:
/// objects (properties, required, additionalProperties), arrays (items, minItems, maxItems), strings
/// (enum, minLength, maxLength), numbers and integers (minimum, maximum), booleans, null, `enum`/`const`
/// of any values, and `anyOf`/`oneOf` (and `type` arrays) as alternatives.
public indirect enum SchemaNode: Sendable {
    case object(ObjectSchema)
    case array(item: SchemaNode, minItems: Int, maxItems: Int?)
    case string(enum: [String]?, minLength: Int, maxLength: Int?)
    case number(integer: Bool, minimum: Double?, maximum: Double?)
    case boolean
    case null
    /// One of these exact values.
    case literal([JSONValue])
    case anyOf([SchemaNode])
    /// Any JSON value.
    case any

    /// Compiles a JSON Schema document.
    public static func compile(_ schema: JSONValue, path: String = "") throws -> SchemaNode {
        guard case let .object(members) = schema else {
            if case let .bool(b) = schema, b { return .any }
            throw ToolSchemaError.unsupportedSchema(path: path, reason: "a schema must be an object")
        }
        func member(_ k: String) -> JSONValue? { members.first { $0.key == k }?.value }
        if let c = member("const") { return .literal([c]) }
        if let e = member("enum") {
            guard let values = e.arrayValue, !values.isEmpty else {
                throw ToolSchemaError.unsupportedSchema(path: path, reason: "enum must be a non-empty array")
            }
            if values.allSatisfy({ $0.stringValue != nil }) {
                return .string(enum: values.compactMap(\.stringValue), minLength: 0, maxLength: nil)
            }
            return .literal(values)
        }
        for key in ["anyOf", "oneOf"] {
            if let alts = member(key) {
                guard let list = alts.arrayValue, !list.isEmpty else {
                    throw ToolSchemaError.unsupportedSchema(path: path, reason: "\(key) must be a non-empty array")
                }
                return .anyOf(try list.enumerated().map { try compile($1, path: "\(path)/\(key)[\($0)]") })
            }
        }
        var types: [String] = []
        switch member("type") {
        case let .string(t)?: types = [t]
        case let .array(list)?: types = list.compactMap(\.stringValue)
        case nil:
            if member("properties") != nil { types = ["object"] } else if member("items") != nil { types = ["array"] } else { return .any }
        default: throw ToolSchemaError.unsupportedSchema(path: path, reason: "type must be a string or an array of strings")
        }
        let nodes = try types.map { try compileType($0, member: member, path: path) }
        return nodes.count == 1 ? nodes[0] : .anyOf(nodes)
    }

    private static func compileType(_ type: String, member: (String) -> JSONValue?, path: String) throws -> SchemaNode {
        func int(_ k: String) throws -> Int? {
            guard let v = member(k) else { return nil }
            guard let i = v.intValue, i >= 0 else { throw ToolSchemaError.unsupportedSchema(path: path, reason: "\(k) must be a non-negative integer") }
            return i
        }
        switch type {
        case "object":
            var properties: [(String, SchemaNode)] = []
            if let p = member("properties") {
                guard let list = p.objectValue else { throw ToolSchemaError.unsupportedSchema(path: path, reason: "properties must be an object") }
                for (k, v) in list { properties.append((k, try compile(v, path: path.isEmpty ? k : "\(path).\(k)"))) }
            }
            let required = (member("required")?.arrayValue ?? []).compactMap(\.stringValue)
            for r in required where !properties.contains(where: { $0.0 == r }) {
                throw ToolSchemaError.unsupportedSchema(path: path, reason: "required property \"\(r)\" is not among the properties")
            }
            guard properties.count <= 64 else { throw ToolSchemaError.unsupportedSchema(path: path, reason: "more than 64 properties") }
            let additional = member("additionalProperties")?.boolValue ?? properties.isEmpty
            return .object(ObjectSchema(properties: properties, required: Set(required), additionalProperties: additional))
        case "array":
            let item = try member("items").map { try compile($0, path: "\(path)[]") } ?? .any
            return .array(item: item, minItems: try int("minItems") ?? 0, maxItems: try int("maxItems"))
        case "string":
            return .string(enum: nil, minLength: try int("minLength") ?? 0, maxLength: try int("maxLength"))
        case "number", "integer":
            func bound(_ k: String) -> Double? { member(k)?.doubleValue }
            return .number(integer: type == "integer", minimum: bound("minimum") ?? bound("exclusiveMinimum"),
                           maximum: bound("maximum") ?? bound("exclusiveMaximum"))
        case "boolean": return .boolean
        case "null": return .null
        default: throw ToolSchemaError.unsupportedSchema(path: path, reason: "unknown type \"\(type)\"")
        }
    }

    /// Checks `value` against the schema; the error names the first offending path and what was expected.
    public func validate(_ value: JSONValue, path: String = "") throws {
        func fail(_ reason: String) -> ToolSchemaError { .validation(path: path, reason: reason) }
        switch self {
        case .any: return
        case let .anyOf(alts):
            var errors: [String] = []
            for a in alts {
                do { try a.validate(value, path: path); return } catch { errors.append("\(error)") }
            }
            throw fail("matches none of the alternatives (\(errors.joined(separator: "; ")))")
        case let .literal(values):
            guard values.contains(value) else { throw fail("must be one of \(values.map(\.description).joined(separator: ", ")), got \(value)") }
        case .null:
            guard value == .null else { throw fail("expected null, got \(value.typeName)") }
        case .boolean:
            guard value.boolValue != nil else { throw fail("expected a boolean, got \(value.typeName)") }
        case let .number(integer, minimum, maximum):
            guard let d = value.doubleValue else { throw fail("expected \(integer ? "an integer" : "a number"), got \(value.typeName)") }
            if integer, value.intValue == nil { throw fail("expected an integer, got \(value)") }
            if let minimum, d < minimum { throw fail("must be ≥ \(JSONValue.format(minimum)), got \(value)") }
            if let maximum, d > maximum { throw fail("must be ≤ \(JSONValue.format(maximum)), got \(value)") }
        case let .string(choices, minLength, maxLength):
            guard let s = value.stringValue else { throw fail("expected a string, got \(value.typeName)") }
            if let choices, !choices.contains(s) {
                throw fail("must be one of \(choices.map { "\"\($0)\"" }.joined(separator: ", ")), got \"\(s)\"")
            }
            if s.count < minLength { throw fail("must have at least \(minLength) characters") }
            if let maxLength, s.count > maxLength { throw fail("must have at most \(maxLength) characters") }
        case let .array(item, minItems, maxItems):
            guard let items = value.arrayValue else { throw fail("expected an array, got \(value.typeName)") }
            if items.count < minItems { throw fail("needs at least \(minItems) items, got \(items.count)") }
            if let maxItems, items.count > maxItems { throw fail("allows at most \(maxItems) items, got \(items.count)") }
            for (i, v) in items.enumerated() { try item.validate(v, path: "\(path)[\(i)]") }
        case let .object(o):
            guard let members = value.objectValue else { throw fail("expected an object, got \(value.typeName)") }
            for (k, v) in members {
                let sub = path.isEmpty ? k : "\(path).\(k)"
                if let p = o.properties.first(where: { $0.name == k }) {
                    try p.node.validate(v, path: sub)
                } else if !o.additionalProperties {
                    let known = o.properties.map(\.name).joined(separator: ", ")
                    throw ToolSchemaError.validation(path: sub, reason: "unknown argument (expected one of: \(known))")
                }
            }
            for r in o.requiredInOrder where !members.contains(where: { $0.key == r }) {
                throw ToolSchemaError.validation(path: path.isEmpty ? r : "\(path).\(r)", reason: "required argument is missing")
            }
        }
    }
}

/// The object part of a compiled schema.
public final class ObjectSchema: @unchecked Sendable {
    public let properties: [(name: String, node: SchemaNode)]
    public let required: Set<String>
    public let additionalProperties: Bool
    /// Required property names in declaration order.
    public let requiredInOrder: [String]
    /// Bit i set when property i is required.
    let requiredMask: UInt64
    /// Each property name as JSON-escaped bytes followed by the closing quote.
    let keyBytes: [[UInt8]]

    public init(properties: [(String, SchemaNode)], required: Set<String>, additionalProperties: Bool) {
        self.properties = properties.map { (name: $0.0, node: $0.1) }
        self.required = required
        self.additionalProperties = additionalProperties
        requiredInOrder = properties.map(\.0).filter { required.contains($0) }
        var mask: UInt64 = 0
        for (i, p) in properties.enumerated() where required.contains(p.0) { mask |= 1 << UInt64(i) }
        requiredMask = mask
        keyBytes = properties.map { p in
            var s = ""
            JSONValue.quote(p.0, into: &s)
            return Array(s.utf8.dropFirst())
        }
    }
}
