/// Why the parser gave up on a stream; maps directly to the stream error to send.
public struct XMLStreamError: Error, Sendable, Hashable {
    /// The stream error condition to report.
    public var condition: StreamErrorCondition
    /// Human-readable detail (may be sent to the peer as the error's text).
    public var text: String

    /// Creates a stream error.
    public init(_ condition: StreamErrorCondition, text: String = "") {
        self.condition = condition
        self.text = text
    }

    /// Creates a stream error (labelled form).
    public init(condition: StreamErrorCondition, text: String = "") {
        self.init(condition, text: text)
    }
}

public extension XMLStreamError {
    /// The `<stream:error>` element reporting this error.
    var element: XMLElement {
        streamErrorElement(condition, text: text.isEmpty ? nil : text)
    }
}
