/// An XML element with resolved namespaces: the unit the server reads, builds and writes.
public struct XMLElement: Sendable, Hashable {
    /// Local name.
    public var name: String
    /// Namespace URI, "" if none.
    public var namespace: String
    /// Attributes in document (or insertion) order.
    public var attributes: [XMLAttribute]
    /// Child elements and text, in order.
    public var children: [XMLNode]

    /// Creates an element; `attributes` are plain attributes sorted by name, except the key
    /// "xml:lang" which becomes `lang` in the XML namespace.
    public init(_ name: String, namespace: String, attributes: [String: String] = [:], children: [XMLNode] = []) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes.sorted { $0.key < $1.key }.map { key, value in
            let (local, ns) = XMLElement.attributeKey(key)
            return XMLAttribute(name: local, namespace: ns, value: value)
        }
        self.children = children
    }

    /// Creates an element from already-built attribute values (used by the parser).
    public init(_ name: String, namespace: String, attributeList: [XMLAttribute], children: [XMLNode] = []) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributeList
        self.children = children
    }

    /// Maps the "xml:lang" key to its namespaced form; every other key is a plain attribute.
    static func attributeKey(_ key: String) -> (name: String, namespace: String) {
        key == "xml:lang" ? ("lang", NS.xml) : (key, "")
    }

    /// A plain (no-namespace) attribute; "xml:lang" addresses the xml:lang attribute. Setting nil removes it.
    public subscript(attribute name: String) -> String? {
        get {
            let (local, ns) = XMLElement.attributeKey(name)
            return attribute(local, namespace: ns)
        }
        set {
            let (local, ns) = XMLElement.attributeKey(name)
            setAttribute(local, namespace: ns, to: newValue)
        }
    }

    /// The value of the attribute with this local name and namespace.
    public func attribute(_ name: String, namespace: String) -> String? {
        attributes.first { $0.name == name && $0.namespace == namespace }?.value
    }

    /// Sets (replacing in place) or, with nil, removes the attribute with this name and namespace.
    public mutating func setAttribute(_ name: String, namespace: String, to value: String?) {
        let index = attributes.firstIndex { $0.name == name && $0.namespace == namespace }
        switch (index, value) {
        case let (index?, value?): attributes[index].value = value
        case let (index?, nil): attributes.remove(at: index)
        case let (nil, value?): attributes.append(XMLAttribute(name: name, namespace: namespace, value: value))
        case (nil, nil): break
        }
    }

    /// The first child element with this name and namespace.
    public func child(_ name: String, namespace: String) -> XMLElement? {
        for case .element(let element) in children where element.name == name && element.namespace == namespace {
            return element
        }
        return nil
    }

    /// All child elements with this name and namespace.
    public func children(_ name: String, namespace: String) -> [XMLElement] {
        elements.filter { $0.name == name && $0.namespace == namespace }
    }

    /// The first child element in this namespace, whatever its name (typical for payloads).
    public func child(namespace: String) -> XMLElement? {
        for case .element(let element) in children where element.namespace == namespace {
            return element
        }
        return nil
    }

    /// Child elements only, in order.
    public var elements: [XMLElement] {
        children.compactMap { node in
            if case .element(let element) = node { return element }
            return nil
        }
    }

    /// Concatenation of the direct text children.
    public var text: String {
        var result = ""
        for case .text(let string) in children {
            result += string
        }
        return result
    }

    /// Appends a child element.
    public mutating func append(_ element: XMLElement) {
        children.append(.element(element))
    }

    /// Appends character data, merging with a preceding text child so text stays one node.
    public mutating func append(text: String) {
        guard !text.isEmpty else { return }
        if case .text(let previous)? = children.last {
            children[children.count - 1] = .text(previous + text)
        } else {
            children.append(.text(text))
        }
    }

    /// Removes every child element with this name and namespace.
    public mutating func removeChildren(_ name: String, namespace: String) {
        children.removeAll { node in
            if case .element(let element) = node { return element.name == name && element.namespace == namespace }
            return false
        }
    }
}
