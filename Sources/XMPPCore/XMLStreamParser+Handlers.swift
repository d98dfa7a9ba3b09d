import CExpat

/// The C callbacks expat calls during `XML_Parse`; each forwards to the tree builder and stops
/// expat as soon as the builder has recorded an error.
extension XMLStreamParser {
    func installHandlers(on parser: XML_Parser) {
        XML_SetUserData(parser, Unmanaged.passUnretained(self).toOpaque())
        XML_SetElementHandler(parser, { userData, name, attributes in
            guard let (parser, expat) = XMLStreamParser.context(userData), let name else { return }
            parser.builder.startElement(name: name, attributes: attributes,
                                        eventStart: Int(XML_GetCurrentByteIndex(expat)) + parser.indexBase,
                                        eventEnd: parser.eventEnd(expat))
            parser.stopIfFailed(expat)
        }, { userData, _ in
            guard let (parser, expat) = XMLStreamParser.context(userData) else { return }
            let eventEnd = parser.eventEnd(expat)
            parser.builder.endElement(eventEnd: eventEnd)
            parser.stopIfFailed(expat)
            parser.suspendIfRecycleDue(expat, at: eventEnd)
        })
        XML_SetCharacterDataHandler(parser) { userData, characters, length in
            guard let (parser, expat) = XMLStreamParser.context(userData), let characters, length > 0 else { return }
            characters.withMemoryRebound(to: UInt8.self, capacity: Int(length)) { bytes in
                parser.builder.characters(UnsafeBufferPointer(start: bytes, count: Int(length)),
                                          eventEnd: parser.eventEnd(expat))
            }
            parser.stopIfFailed(expat)
        }
        XML_SetStartNamespaceDeclHandler(parser) { userData, prefix, uri in
            guard let (parser, _) = XMLStreamParser.context(userData) else { return }
            parser.builder.declareNamespace(prefix: prefix, uri: uri)
        }
        XML_SetXmlDeclHandler(parser) { userData, _, encoding, _ in
            guard let encoding, String(cString: encoding).uppercased() != "UTF-8" else { return }
            XMLStreamParser.reject(userData, .unsupportedEncoding, "only UTF-8 streams are supported")
        }
        XML_SetStartDoctypeDeclHandler(parser) { userData, _, _, _, _ in
            XMLStreamParser.reject(userData, .restrictedXML, "DTDs are not allowed")
        }
        XML_SetEntityDeclHandler(parser) { userData, _, _, _, _, _, _, _, _ in
            XMLStreamParser.reject(userData, .restrictedXML, "entity declarations are not allowed")
        }
        XML_SetCommentHandler(parser) { userData, _ in
            XMLStreamParser.reject(userData, .restrictedXML, "comments are not allowed")
        }
        XML_SetProcessingInstructionHandler(parser) { userData, _, _ in
            XMLStreamParser.reject(userData, .restrictedXML, "processing instructions are not allowed")
        }
        XML_SetSkippedEntityHandler(parser) { userData, _, _ in
            XMLStreamParser.reject(userData, .notWellFormed, "undefined entity")
        }
    }

    /// The parser behind expat's user data, and the expat handle to query or stop.
    private static func context(_ userData: UnsafeMutableRawPointer?) -> (XMLStreamParser, XML_Parser)? {
        guard let userData else { return nil }
        let parser = Unmanaged<XMLStreamParser>.fromOpaque(userData).takeUnretainedValue()
        guard let expat = parser.currentExpat else { return nil }
        return (parser, expat)
    }

    /// Offset in the stream just past the event being reported.
    private func eventEnd(_ expat: XML_Parser) -> Int {
        Int(XML_GetCurrentByteIndex(expat)) + Int(XML_GetCurrentByteCount(expat)) + indexBase
    }

    private static func reject(_ userData: UnsafeMutableRawPointer?, _ condition: StreamErrorCondition, _ text: String) {
        guard let (parser, expat) = context(userData) else { return }
        parser.builder.fail(condition, text)
        parser.stopIfFailed(expat)
    }

    private func stopIfFailed(_ expat: XML_Parser) {
        if builder.failure != nil {
            XML_StopParser(expat, 0)
        }
    }
}
