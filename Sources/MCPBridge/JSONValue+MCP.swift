import Foundation
import MCP
import ToolSchema

extension JSONValue {
    /// The same value as the MCP SDK's `Value` (object key order is not kept: MCP objects are dictionaries).
    var mcpValue: Value {
        switch self {
        case .null: return .null
        case let .bool(b): return .bool(b)
        case let .integer(i): return .int(i)
        case let .number(d): return .double(d)
        case let .string(s): return .string(s)
        case let .array(a): return .array(a.map(\.mcpValue))
        case let .object(m): return .object(Dictionary(m.map { ($0.key, $0.value.mcpValue) }, uniquingKeysWith: { _, last in last }))
        }
    }

    /// A JSON value from the MCP SDK's `Value`; object keys are sorted so that the result is stable.
    init(mcp value: Value) {
        switch value {
        case .null: self = .null
        case let .bool(b): self = .bool(b)
        case let .int(i): self = .integer(i)
        case let .double(d): self = .number(d)
        case let .string(s): self = .string(s)
        case let .data(mimeType, data): self = .string("data:\(mimeType ?? "application/octet-stream");base64,\(data.base64EncodedString())")
        case let .array(a): self = .array(a.map(JSONValue.init(mcp:)))
        case let .object(m): self = .object(m.keys.sorted().map { ($0, JSONValue(mcp: m[$0]!)) })
        }
    }

    /// This object with `transform` applied to each property schema under "properties" (other values unchanged).
    func mappingProperties(_ transform: (String, JSONValue) -> JSONValue) -> JSONValue {
        guard case let .object(members) = self else { return self }
        return .object(members.map { member in
            guard member.key == "properties", case let .object(props) = member.value else { return member }
            return (member.key, .object(props.map { ($0.key, transform($0.key, $0.value)) }))
        })
    }

    /// This object with `key` set to `value` (replaced in place, or appended).
    func setting(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case var .object(members) = self else { return self }
        if let i = members.firstIndex(where: { $0.key == key }) { members[i].value = value } else { members.append((key, value)) }
        return .object(members)
    }
}
