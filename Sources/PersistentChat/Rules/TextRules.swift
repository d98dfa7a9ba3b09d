/// Validation of names, texts, localparts and URLs. Every check bounds the byte length first,
/// so hostile input is never scanned beyond a few kilobytes.
enum TextRules {
    /// A display name: 1…`maxCharacters` characters, not blank, no control characters.
    static func checkName(_ name: String, of what: String, maxCharacters: Int) throws(ChatRuleError) {
        guard !name.isEmpty, name.utf8.count <= maxCharacters * 4, name.count <= maxCharacters else {
            throw ChatRuleError(.invalid, "The \(what) name must have 1 to \(maxCharacters) characters.")
        }
        guard !name.allSatisfy(\.isWhitespace) else {
            throw ChatRuleError(.invalid, "The \(what) name must not be blank.")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ChatRuleError(.invalid, "The \(what) name must not contain control characters.")
        }
    }

    /// A free text (description, subject) of at most `maxCharacters` characters.
    static func checkText(_ text: String, of what: String, maxCharacters: Int) throws(ChatRuleError) {
        guard text.utf8.count <= maxCharacters * 4, text.count <= maxCharacters else {
            throw ChatRuleError(.invalid, "The \(what) must have at most \(maxCharacters) characters.")
        }
    }

    /// A room JID localpart: 1…64 of [a-z0-9._-].
    static func checkLocalpart(_ localpart: String) throws(ChatRuleError) {
        let valid = (1...ChatLimits.maxLocalpartLength).contains(localpart.utf8.count)
            && localpart.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            }
        guard valid else {
            throw ChatRuleError(.invalid, "'\(localpart.prefix(80))' is not a valid room localpart (1 to 64 of a-z, 0-9, '.', '_', '-').")
        }
    }

    /// An http or https URL with a host, at most `maxLength` bytes, without spaces or control characters.
    static func checkURL(_ url: String, of what: String, maxLength: Int) throws(ChatRuleError) {
        let invalid = ChatRuleError(.invalid, "The \(what) must be an http or https URL of at most \(maxLength) characters.")
        guard url.utf8.count <= maxLength else { throw invalid }
        let lowered = url.lowercased()
        let rest: Substring
        if lowered.hasPrefix("https://") {
            rest = lowered.dropFirst("https://".count)
        } else if lowered.hasPrefix("http://") {
            rest = lowered.dropFirst("http://".count)
        } else {
            throw invalid
        }
        let host = rest.prefix { !"/?#".contains($0) }
        guard !host.isEmpty,
              !url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else { throw invalid }
    }
}
