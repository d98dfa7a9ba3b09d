/// What an administrator's replacement writes over each matching message: the body, and the
/// stored stanza as the caller rewrites it (the store keeps stanzas as text and reads no XML).
public struct ArchiveReplacement: Sendable {
    /// The new body text.
    public let body: String
    /// The stanza to store, from the stored one.
    public let stanza: @Sendable (_ stored: String) -> String

    public init(body: String, stanza: @escaping @Sendable (_ stored: String) -> String) {
        self.body = body
        self.stanza = stanza
    }
}
