/// One attribute of an element, identified by namespace and local name.
public struct XMLAttribute: Sendable, Hashable {
    /// Local name (`lang` for `xml:lang`).
    public var name: String
    /// Namespace URI; "" for ordinary unprefixed attributes.
    public var namespace: String
    /// Attribute value, unescaped.
    public var value: String

    /// Creates an attribute; `namespace` defaults to none.
    public init(name: String, namespace: String = "", value: String) {
        self.name = name
        self.namespace = namespace
        self.value = value
    }
}

/// A child of an element: another element or a run of character data.
public enum XMLNode: Sendable, Hashable {
    /// A child element.
    case element(XMLElement)
    /// Character data, unescaped; the parser merges adjacent runs into one node.
    case text(String)
}
