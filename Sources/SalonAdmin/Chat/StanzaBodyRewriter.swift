import XMPPCore

/// Rewrites the text of every `<body>` element of a stored stanza (plain and XHTML-IM alike),
/// so a replaced message's stored stanza no longer carries the original words. Stored stanzas
/// are the server's own serialisation, which parsing and serialising again reproduces.
enum StanzaBodyRewriter {
    /// `stanza` with each body element's content replaced by `text`; unchanged when it has no
    /// body or is not one well-formed stanza.
    static func replacingBodies(of stanza: String, with text: String) -> String {
        // The server's limits, not the parser's defaults, admitted the stanza: it may be bigger or deeper.
        let limits = XMLStreamLimits(maxStanzaBytes: .max, maxDepth: .max)
        guard var element = try? XMLStreamParser.parseStanza(stanza, namespace: NS.client, limits: limits),
              element.replaceBodies(with: text) else { return stanza }
        return element.serialized(parentNamespace: NS.client)
    }
}

extension XMLElement {
    /// Replaces the content of every `<body>` below this element with `text`; whether there was one.
    fileprivate mutating func replaceBodies(with text: String) -> Bool {
        var found = false
        for index in children.indices {
            guard case .element(var child) = children[index] else { continue }
            if child.name == "body" {
                child.children = [.text(text)]
                found = true
            } else if child.replaceBodies(with: text) {
                found = true
            } else {
                continue
            }
            children[index] = .element(child)
        }
        return found
    }
}
