/// The JSON object an event other than CHAT carries, built field by field in a fixed order
/// (so equal events give equal payloads). Pure Swift: PersistentChat imports nothing.
public struct CompliancePayload: Sendable, Hashable {
    public indirect enum Value: Sendable, Hashable {
        case text(String)
        case number(Int64)
        case flag(Bool)
        case list([String])
        case object(CompliancePayload)
    }

    public private(set) var fields: [(String, Value)] = []

    public init() {}

    public init(_ fields: [(String, Value?)]) {
        for (key, value) in fields { if let value { self.fields.append((key, value)) } }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.json == rhs.json }
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }

    /// The object as compact JSON.
    public var json: String {
        var out = "{"
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { out += "," }
            out += Self.quoted(key) + ":" + Self.json(value)
        }
        return out + "}"
    }

    private static func json(_ value: Value) -> String {
        switch value {
        case .text(let text): quoted(text)
        case .number(let number): "\(number)"
        case .flag(let flag): flag ? "true" : "false"
        case .list(let items): "[" + items.map(quoted).joined(separator: ",") + "]"
        case .object(let object): object.json
        }
    }

    /// A JSON string literal (RFC 8259 §7): quote, backslash and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension CompliancePayload.Value {
    /// Text, or nothing when absent.
    public static func optional(_ text: String?) -> Self? { text.map { .text($0) } }
}
