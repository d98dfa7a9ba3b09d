/// Who a category or room list names (design §1): one user, a server-side group, or everyone
/// on a domain. Users are bare JIDs already normalised by the caller (PersistentChat knows no
/// XMPP); group and domain names are case-insensitive and kept lowercased.
public enum Principal: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    case user(String)
    case group(String)
    case domain(String)

    /// Parses the written form: `group:NAME`, `user@domain`, `domain:NAME`, or a bare word.
    /// With `userDomain` (the operator's own domain, as `salon user add bob` uses it), a bare
    /// word without a dot is the user `word@userDomain`; otherwise a bare word is a domain,
    /// the older form, kept where it cannot be a user of this server (a dotted name, or the
    /// served domain itself, as in `--allow localhost`).
    public init(_ text: String, userDomain: String? = nil) throws(ChatRuleError) {
        let trimmed = Self.trimmed(text)
        let shown = text.prefix(300)  // error messages quote at most this much of hostile input
        if trimmed.lowercased().hasPrefix("domain:") {
            let domain = String(trimmed.dropFirst("domain:".count)).lowercased()
            guard Self.isValidDomain(domain) else { throw ChatRuleError(.invalid, "'\(shown)' is not a valid domain principal (domain:NAME).") }
            self = .domain(domain)
        } else if let userDomain, !trimmed.contains("@"), !trimmed.contains("."), !trimmed.contains(":"),
                  trimmed.lowercased() != userDomain.lowercased() {
            try self.init(trimmed + "@" + userDomain)
        } else if trimmed.lowercased().hasPrefix("group:") {
            let name = String(trimmed.dropFirst("group:".count)).lowercased()
            guard Self.isValidName(name) else { throw ChatRuleError(.invalid, "'\(shown)' is not a valid group principal (group:NAME).") }
            self = .group(name)
        } else if trimmed.contains("@") {
            let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, Self.isValidLocalpart(parts[0]), Self.isValidDomain(String(parts[1]).lowercased()), !trimmed.contains("/") else {
                throw ChatRuleError(.invalid, "'\(shown)' is not a valid user principal (user@domain).")
            }
            self = .user(trimmed.lowercased())
        } else {
            let domain = trimmed.lowercased()
            guard Self.isValidDomain(domain) else { throw ChatRuleError(.invalid, "'\(shown)' is not a valid principal (user@domain, group:NAME or domain:NAME).") }
            self = .domain(domain)
        }
    }

    public var description: String {
        switch self {
        case .user(let jid): jid
        case .group(let name): "group:\(name)"
        case .domain(let domain): domain
        }
    }

    public static func < (lhs: Principal, rhs: Principal) -> Bool { lhs.description < rhs.description }

    /// `text` without leading and trailing whitespace (no Foundation in this target).
    static func trimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
              let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[first...last])
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 256 && !name.contains(where: { $0.isWhitespace && $0 != " " || $0.isNewline })
    }

    /// A JID localpart: 1…1023 bytes (RFC 7622), no whitespace or control characters.
    static func isValidLocalpart(_ localpart: Substring) -> Bool {
        !localpart.isEmpty && localpart.utf8.count <= 1023
            && !localpart.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    }

    static func isValidDomain(_ domain: String) -> Bool {
        !domain.isEmpty && domain.utf8.count <= 1023 && !domain.contains(where: { $0.isWhitespace || "/@:".contains($0) })
            && !domain.unicodeScalars.contains { $0.properties.generalCategory == .control }
            && !domain.hasPrefix(".") && !domain.hasSuffix(".")
    }

    // Codable as the written form.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try Principal(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
