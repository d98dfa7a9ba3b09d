/// XEP-0059 result set management: what a client asks for (`<set/>` in a query) and what a
/// page reports back.
public struct ResultSetRequest: Sendable, Hashable {
    public static let namespace = "http://jabber.org/protocol/rsm"

    public var max: Int?
    /// Page after this item id.
    public var after: String?
    /// Page before this item id; "" asks for the last page.
    public var before: String?
    public var index: Int?

    public init(max: Int? = nil, after: String? = nil, before: String? = nil, index: Int? = nil) {
        self.max = max
        self.after = after
        self.before = before
        self.index = index
    }

    /// Parses `<set xmlns='http://jabber.org/protocol/rsm'>`; nil when malformed (negative max, …).
    public init?(_ element: XMLElement) {
        guard element.name == "set", element.namespace == Self.namespace else { return nil }
        if let text = element.child("max", namespace: Self.namespace)?.text {
            guard let value = Int(text), value >= 0 else { return nil }
            max = value
        }
        after = element.child("after", namespace: Self.namespace)?.text
        before = element.child("before", namespace: Self.namespace)?.text
        if let text = element.child("index", namespace: Self.namespace)?.text {
            guard let value = Int(text), value >= 0 else { return nil }
            index = value
        }
    }
}

/// The `<set/>` a page answers with.
public struct ResultSetPage: Sendable, Hashable {
    public var first: String?
    public var firstIndex: Int?
    public var last: String?
    public var count: Int?

    public init(first: String? = nil, firstIndex: Int? = nil, last: String? = nil, count: Int? = nil) {
        self.first = first
        self.firstIndex = firstIndex
        self.last = last
        self.count = count
    }

    public var element: XMLElement {
        var set = XMLElement("set", namespace: ResultSetRequest.namespace)
        if let first {
            var element = XMLElement("first", namespace: ResultSetRequest.namespace, attributes: firstIndex.map { ["index": "\($0)"] } ?? [:])
            element.append(text: first)
            set.append(element)
        }
        if let last {
            var element = XMLElement("last", namespace: ResultSetRequest.namespace)
            element.append(text: last)
            set.append(element)
        }
        if let count {
            var element = XMLElement("count", namespace: ResultSetRequest.namespace)
            element.append(text: "\(count)")
            set.append(element)
        }
        return set
    }
}
