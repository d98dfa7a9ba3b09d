/// An XMPP address (RFC 7622): `localpart@domainpart/resourcepart`, stored normalised.
public struct JID: Sendable, Hashable {
    /// The account or room name, lowercased; nil for a domain JID.
    public let localpart: String?
    /// The server or service domain, lowercased, without a trailing dot.
    public let domainpart: String
    /// The session or nickname, case kept; nil for a bare JID.
    public let resourcepart: String?

    /// Parses and normalises a JID string: the resourcepart follows the first "/", and the
    /// localpart precedes the first "@" before it.
    public init(_ string: String) throws(JIDError) {
        guard !string.isEmpty else { throw .empty }
        guard string.utf8.count <= JIDPart.maxInputBytes * 3 + 2 else { throw .tooLong }
        let utf8 = string.utf8
        let slash = utf8.firstIndex(of: UInt8(ascii: "/"))
        let bareEnd = slash ?? utf8.endIndex
        let at = utf8[..<bareEnd].firstIndex(of: UInt8(ascii: "@"))
        let domainStart = at.map { utf8.index(after: $0) } ?? utf8.startIndex
        let localpart = try at.map { (at) throws(JIDError) in try JIDPart.localpart(Substring(string[..<at])) }
        let domainpart = try JIDPart.domainpart(Substring(string[domainStart..<bareEnd]))
        let resourcepart = try slash.map { (slash) throws(JIDError) in
            try JIDPart.resourcepart(Substring(string[utf8.index(after: slash)...]))
        }
        self.init(unchecked: localpart, domainpart, resourcepart)
    }

    /// Builds a JID from separate parts, validating and normalising each.
    public init(localpart: String?, domainpart: String, resourcepart: String?) throws(JIDError) {
        let local = try localpart.map { (part) throws(JIDError) in try JIDPart.localpart(Substring(part)) }
        let domain = try JIDPart.domainpart(Substring(domainpart))
        let resource = try resourcepart.map { (part) throws(JIDError) in try JIDPart.resourcepart(Substring(part)) }
        self.init(unchecked: local, domain, resource)
    }

    /// Parts known to be valid and normalised already.
    private init(unchecked localpart: String?, _ domainpart: String, _ resourcepart: String?) {
        self.localpart = localpart
        self.domainpart = domainpart
        self.resourcepart = resourcepart
    }

    /// This JID without its resourcepart.
    public var bare: JID {
        resourcepart == nil ? self : JID(unchecked: localpart, domainpart, nil)
    }

    /// The domain alone (the server or service this JID lives on).
    public var domain: JID {
        JID(unchecked: nil, domainpart, nil)
    }

    /// The same address with another (or, given nil, no) resourcepart.
    public func with(resource: String?) throws(JIDError) -> JID {
        let resourcepart = try resource.map { (part) throws(JIDError) in try JIDPart.resourcepart(Substring(part)) }
        return JID(unchecked: localpart, domainpart, resourcepart)
    }
}

extension JID: CustomStringConvertible {
    /// The canonical string form.
    public var description: String {
        var string = ""
        if let localpart {
            string += localpart
            string += "@"
        }
        string += domainpart
        if let resourcepart {
            string += "/"
            string += resourcepart
        }
        return string
    }
}

extension JID: Comparable {
    /// Orders by domain, then localpart, then resourcepart (absent parts first).
    public static func < (lhs: JID, rhs: JID) -> Bool {
        if lhs.domainpart != rhs.domainpart { return lhs.domainpart < rhs.domainpart }
        if lhs.localpart != rhs.localpart { return precedes(lhs.localpart, rhs.localpart) }
        return precedes(lhs.resourcepart, rhs.resourcepart)
    }

    private static func precedes(_ lhs: String?, _ rhs: String?) -> Bool {
        switch (lhs, rhs) {
        case let (lhs?, rhs?): lhs < rhs
        case (nil, _?): true
        default: false
        }
    }
}

extension JID: Codable {
    /// Decodes from the string form, validating it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            try self.init(string)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid JID: \(error)")
        }
    }

    /// Encodes as the canonical string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
