extension XMLElement {
    /// Appends this element as UTF-8 XML; `parentNamespace` is the default namespace in scope
    /// (a stream's content namespace for stanzas), so `xmlns` is written only where it changes.
    /// Elements in the stream namespace are written with the `stream:` prefix most clients expect.
    public func serialize(into buffer: inout [UInt8], parentNamespace: String) {
        serialize(into: &buffer, defaultNamespace: parentNamespace, streamPrefixDeclared: false)
    }

    /// This element as an XML string; see `serialize(into:parentNamespace:)`.
    public func serialized(parentNamespace: String = "") -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        serialize(into: &buffer, parentNamespace: parentNamespace)
        return String(decoding: buffer, as: UTF8.self)
    }

    private func serialize(into buffer: inout [UInt8], defaultNamespace: String, streamPrefixDeclared: Bool) {
        // A prefixed stream element leaves the default namespace untouched for its children.
        let usesStreamPrefix = namespace == NS.streams && defaultNamespace != NS.streams
        buffer.append(UInt8(ascii: "<"))
        appendQualifiedName(to: &buffer, streamPrefix: usesStreamPrefix)
        if usesStreamPrefix {
            if !streamPrefixDeclared {
                appendRaw(" xmlns:stream='", to: &buffer)
                XMLEscaping.append(NS.streams, to: &buffer, context: .attribute)
                buffer.append(UInt8(ascii: "'"))
            }
        } else if namespace != defaultNamespace {
            appendRaw(" xmlns='", to: &buffer)
            XMLEscaping.append(namespace, to: &buffer, context: .attribute)
            buffer.append(UInt8(ascii: "'"))
        }
        appendAttributes(to: &buffer)
        guard !children.isEmpty else {
            appendRaw("/>", to: &buffer)
            return
        }
        buffer.append(UInt8(ascii: ">"))
        let childDefault = usesStreamPrefix ? defaultNamespace : namespace
        let childDeclared = streamPrefixDeclared || usesStreamPrefix
        for child in children {
            switch child {
            case .element(let element):
                element.serialize(into: &buffer, defaultNamespace: childDefault, streamPrefixDeclared: childDeclared)
            case .text(let text):
                XMLEscaping.append(text, to: &buffer, context: .text)
            }
        }
        appendRaw("</", to: &buffer)
        appendQualifiedName(to: &buffer, streamPrefix: usesStreamPrefix)
        buffer.append(UInt8(ascii: ">"))
    }

    private func appendQualifiedName(to buffer: inout [UInt8], streamPrefix: Bool) {
        if streamPrefix {
            appendRaw("stream:", to: &buffer)
        }
        buffer.append(contentsOf: name.utf8)
    }

    /// Writes attributes; namespaced ones get prefixes declared on this element (`xml` needs none).
    private func appendAttributes(to buffer: inout [UInt8]) {
        // The common case, plain attributes only, without the namespace bookkeeping (a stanza
        // is serialised for every message a room sends).
        if attributes.allSatisfy({ $0.namespace.isEmpty }) {
            for attribute in attributes where !Self.isUnwritablePlainName(attribute.name) {
                buffer.append(UInt8(ascii: " "))
                buffer.append(contentsOf: attribute.name.utf8)
                appendRaw("='", to: &buffer)
                XMLEscaping.append(attribute.value, to: &buffer, context: .attribute)
                buffer.append(UInt8(ascii: "'"))
            }
            return
        }
        var prefixedNamespaces: [String] = []
        for attribute in attributes where !Self.isUnwritable(attribute) {
            switch attribute.namespace {
            case "", NS.xml:
                continue
            default:
                guard !prefixedNamespaces.contains(attribute.namespace) else { continue }
                appendRaw(" xmlns:ns\(prefixedNamespaces.count)='", to: &buffer)
                XMLEscaping.append(attribute.namespace, to: &buffer, context: .attribute)
                buffer.append(UInt8(ascii: "'"))
                prefixedNamespaces.append(attribute.namespace)
            }
        }
        for attribute in attributes where !Self.isUnwritable(attribute) {
            buffer.append(UInt8(ascii: " "))
            switch attribute.namespace {
            case "":
                break
            case NS.xml:
                appendRaw("xml:", to: &buffer)
            default:
                let index = prefixedNamespaces.firstIndex(of: attribute.namespace) ?? 0
                appendRaw("ns\(index):", to: &buffer)
            }
            buffer.append(contentsOf: attribute.name.utf8)
            appendRaw("='", to: &buffer)
            XMLEscaping.append(attribute.value, to: &buffer, context: .attribute)
            buffer.append(UInt8(ascii: "'"))
        }
    }

    /// Namespace declarations are derived from the tree, never taken from attributes, and a
    /// colon in a plain name would need an undeclared prefix: such attributes are skipped.
    private static func isUnwritable(_ attribute: XMLAttribute) -> Bool {
        attribute.namespace == NS.xmlns || (attribute.namespace.isEmpty && isUnwritablePlainName(attribute.name))
    }

    private static func isUnwritablePlainName(_ name: String) -> Bool {
        name == "xmlns" || name.utf8.contains(UInt8(ascii: ":"))
    }

    private func appendRaw(_ string: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: string.utf8)
    }
}

extension XMLElement: CustomStringConvertible {
    /// The element serialised with no namespace in scope.
    public var description: String { serialized() }
}
