/// How the words of a `TextFilter` must occur in a message body.
public enum TextMatch: String, Sendable, CaseIterable {
    /// Every keyword occurs.
    case all
    /// At least one keyword occurs.
    case any
    /// The text occurs as a phrase: its words consecutively, in order.
    case exact
}

/// A full-text condition on message bodies.
///
/// Without case sensitivity, words match whole words with case and diacritics folded ("cafe"
/// finds "Café"). With it, each keyword (or the phrase) must also occur verbatim in the body.
public struct TextFilter: Sendable, Hashable {
    /// Keywords separated by whitespace, or the phrase for `.exact`.
    public var text: String
    /// How the keywords must occur.
    public var match: TextMatch
    /// Whether letters must match in case (and accents) exactly.
    public var caseSensitive: Bool

    /// Creates a filter on `text`.
    public init(_ text: String, match: TextMatch = .all, caseSensitive: Bool = false) {
        self.text = text
        self.match = match
        self.caseSensitive = caseSensitive
    }
}
