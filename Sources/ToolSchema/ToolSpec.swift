/// A tool the planner may call: name, description and a JSON Schema for its arguments.
public struct ToolSpec: Sendable {
    public let name: String
    public let description: String
    /// The arguments schema as written (shown to the model).
    public let parameters: JSONValue
    /// The compiled schema (validation and constrained decoding).
    public let schema: SchemaNode

    public init(name: String, description: String, parameters: JSONValue) throws {
        guard !name.isEmpty, name.utf8.count <= 64,
              name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-" || $0 == "." })
        else { throw ToolSchemaError.unsupportedSchema(path: "name", reason: "tool name \"\(name)\" must be 1–64 letters, digits, _ - .") }
        self.name = name
        self.description = description
        self.parameters = parameters
        schema = try SchemaNode.compile(parameters, path: "")
        guard case .object = schema else {
            throw ToolSchemaError.unsupportedSchema(path: "", reason: "the parameters of \(name) must be an object schema")
        }
    }

    /// Reads `{"name", "description", "parameters"}` or the OpenAI form `{"type": "function", "function": {…}}`.
    public init(json: JSONValue) throws {
        let f = json["function"] ?? json
        guard let name = f["name"]?.stringValue else { throw ToolSchemaError.validation(path: "name", reason: "tool has no name") }
        try self.init(name: name, description: f["description"]?.stringValue ?? "",
                      parameters: f["parameters"] ?? .object([("type", .string("object")), ("properties", .object([]))]))
    }

    /// The tool as the chat template lists it: `{"type": "function", "function": {"name", "description", "parameters"}}`.
    public var functionJSON: JSONValue {
        .object([("type", .string("function")),
                 ("function", .object([("name", .string(name)), ("description", .string(description)), ("parameters", parameters)]))])
    }

    /// Reads a JSON array of tools (either form).
    public static func list(from text: String) throws -> [ToolSpec] {
        let value = try JSONParser.parse(text)
        guard let items = value.arrayValue ?? value["tools"]?.arrayValue else {
            throw ToolSchemaError.validation(path: "", reason: "expected a JSON array of tools")
        }
        let tools = try items.map { try ToolSpec(json: $0) }
        var seen = Set<String>()
        for t in tools where !seen.insert(t.name).inserted {
            throw ToolSchemaError.validation(path: t.name, reason: "tool name appears twice")
        }
        return tools
    }
}

/// A call of a tool: its name and JSON arguments.
public struct ToolCall: Sendable, Equatable {
    public let name: String
    public let arguments: JSONValue

    public init(name: String, arguments: JSONValue) {
        self.name = name
        self.arguments = arguments
    }

    /// Checks the call against `tools`: known name, arguments valid for its schema.
    public func validate(against tools: [ToolSpec]) throws {
        guard let tool = tools.first(where: { $0.name == name }) else {
            throw ToolSchemaError.validation(path: "name", reason: "unknown tool \"\(name)\" (known: \(tools.map(\.name).joined(separator: ", ")))")
        }
        try tool.schema.validate(arguments, path: "arguments")
    }

    /// `{"name": …, "arguments": …}`.
    public var json: JSONValue { .object([("name", .string(name)), ("arguments", arguments)]) }
}
