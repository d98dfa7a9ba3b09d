/// Why a string is not a valid JID; every case maps to the `jid-malformed` stanza error.
public enum JIDError: Error, Sendable, Hashable {
    /// The whole address is empty.
    case empty
    /// A part exceeds 1023 bytes of UTF-8.
    case tooLong
    /// The localpart is empty or contains a forbidden character.
    case invalidLocalpart
    /// The domainpart is empty, has an empty label, or contains a forbidden character.
    case invalidDomainpart
    /// The resourcepart is empty or contains a forbidden character.
    case invalidResourcepart

    /// The stanza error to answer with.
    public var stanzaError: StanzaError {
        StanzaError(.jidMalformed)
    }
}
