/// XML namespace URIs used across the server.
public enum NS {
    /// Content namespace of client-to-server streams.
    public static let client = "jabber:client"
    /// Content namespace of server-to-server streams.
    public static let server = "jabber:server"
    /// Content namespace of external component streams (XEP-0114).
    public static let component = "jabber:component:accept"
    /// Namespace of the stream element and stream-level elements (features, error).
    public static let streams = "http://etherx.jabber.org/streams"
    /// Namespace of stream error conditions.
    public static let streamErrors = "urn:ietf:params:xml:ns:xmpp-streams"
    /// Namespace of stanza error conditions.
    public static let stanzaErrors = "urn:ietf:params:xml:ns:xmpp-stanzas"
    /// STARTTLS negotiation.
    public static let tls = "urn:ietf:params:xml:ns:xmpp-tls"
    /// SASL negotiation.
    public static let sasl = "urn:ietf:params:xml:ns:xmpp-sasl"
    /// Resource binding.
    public static let bind = "urn:ietf:params:xml:ns:xmpp-bind"
    /// Legacy session establishment (RFC 3921).
    public static let session = "urn:ietf:params:xml:ns:xmpp-session"
    /// Roster management.
    public static let roster = "jabber:iq:roster"
    /// Software version (XEP-0092).
    public static let version = "jabber:iq:version"
    /// XMPP ping (XEP-0199).
    public static let ping = "urn:xmpp:ping"
    /// Service discovery information (XEP-0030).
    public static let discoInfo = "http://jabber.org/protocol/disco#info"
    /// Service discovery items (XEP-0030).
    public static let discoItems = "http://jabber.org/protocol/disco#items"
    /// Delayed delivery (XEP-0203).
    public static let delay = "urn:xmpp:delay"
    /// The namespace bound to the `xml` prefix (xml:lang).
    public static let xml = "http://www.w3.org/XML/1998/namespace"
    /// The namespace bound to the `xmlns` prefix; never used for ordinary attributes.
    public static let xmlns = "http://www.w3.org/2000/xmlns/"
}
