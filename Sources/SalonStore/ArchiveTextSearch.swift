/// A validated `TextFilter` turned into an FTS5 expression (which narrows, folding case and
/// diacritics) and, when case-sensitive, the strings the body must contain verbatim.
struct ArchiveTextSearch: Sendable {
    /// The most bytes of search text accepted.
    static let maxTextBytes = 1024
    /// The most keywords in one search.
    static let maxKeywords = 32

    /// The FTS5 MATCH expression; keywords are quoted as FTS5 strings, never spliced as syntax.
    let expression: String
    /// Strings `instr` must find in the body (case-sensitive searches only).
    let verbatim: [String]
    /// Whether one verbatim string suffices (`.any`) or all are needed.
    let anyVerbatim: Bool
    /// The keywords (or the one phrase) as given, for a backend that builds its own query.
    let terms: [String]
    /// How the terms combine.
    let match: TextMatch

    /// Throws `.invalid` for empty, oversized or wordless text.
    init(_ filter: TextFilter) throws {
        let text = filter.text
        guard text.utf8.count <= Self.maxTextBytes else {
            throw ArchiveError(.invalid, "search text is longer than \(Self.maxTextBytes) bytes")
        }
        guard !text.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw ArchiveError(.invalid, "search text contains a NUL character")
        }
        let terms: [String]
        if filter.match == .exact {
            let phrase = text.trimmingWhitespace()
            terms = Self.hasWordCharacter(phrase) ? [phrase] : []
        } else {
            // Keywords without a letter or digit produce no FTS5 token, so they cannot narrow anything.
            terms = text.split(whereSeparator: \.isWhitespace).map(String.init).filter(Self.hasWordCharacter)
        }
        guard !terms.isEmpty else {
            throw ArchiveError(.invalid, "search text has no words")
        }
        guard terms.count <= Self.maxKeywords else {
            throw ArchiveError(.invalid, "at most \(Self.maxKeywords) keywords")
        }
        let quoted = terms.map(Self.ftsString)
        expression = quoted.joined(separator: filter.match == .any ? " OR " : " AND ")
        verbatim = filter.caseSensitive ? terms : []
        anyVerbatim = filter.match == .any
        self.terms = terms
        match = filter.match
    }

    /// `term` as an FTS5 string: the tokenizer splits it into a phrase, operators inside are plain text.
    /// Quotes are doubled scalar by scalar: a quote followed by a combining mark is one
    /// Character, which a Character-wise replacement would leave single for FTS5 to read as syntax.
    static func ftsString(_ term: String) -> String {
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in term.unicodeScalars {
            if scalar == "\"" { quoted.append("\"") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }

    /// Whether unicode61 would find a token in `text` (letters, digits and marks are token characters).
    static func hasWordCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            scalar.properties.isAlphabetic || scalar.properties.numericType != nil
        }
    }
}

extension String {
    /// The string without leading and trailing whitespace.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
