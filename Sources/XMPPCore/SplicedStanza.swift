/// A stanza serialised once for many recipients (a room's broadcast): everything but its `to`
/// attribute, which each copy splices in right after the element name. Attribute order is
/// insignificant in XML, so every copy is the stanza addressed to its recipient.
public struct SplicedStanza: Sendable {
    /// `<message` (the opening of the start tag).
    public let head: [UInt8]
    /// The rest: other attributes, children, end tag.
    public let tail: [UInt8]

    /// Serialises `element` (its own `to` dropped) for streams whose default namespace is `parentNamespace`.
    public init(_ element: XMLElement, parentNamespace: String) {
        var unaddressed = element
        unaddressed[attribute: "to"] = nil
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        unaddressed.serialize(into: &bytes, parentNamespace: parentNamespace)
        let split = 1 + element.name.utf8.count  // "<" + name: stanzas are never prefixed
        head = Array(bytes[..<split])
        tail = Array(bytes[split...])
    }

    /// ` to='recipient'`, escaped: the bytes that go between `head` and `tail`.
    public static func address(_ recipient: String) -> [UInt8] {
        var bytes: [UInt8] = Array(" to='".utf8)
        XMLEscaping.append(recipient, to: &bytes, context: .attribute)
        bytes.append(UInt8(ascii: "'"))
        return bytes
    }
}
