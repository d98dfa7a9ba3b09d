import Foundation
import SalonStore
import XMPPCore

enum MAM {
    static let ns = "urn:xmpp:mam:2"
    static let extended = "urn:xmpp:mam:2#extended"
    static let forward = "urn:xmpp:forward:0"
    static let fulltext = "{urn:xmpp:fulltext:0}fulltext"
    /// Persistent-chat search options beyond XEP-0313/0431 (design §3 "Remove messages" and search).
    static let match = "\(MUC.salon)#match"
    static let caseSensitive = "\(MUC.salon)#case-sensitive"
    static let authors = "\(MUC.salon)#authors"
}

/// An XEP-0313 query (form, XEP-0059 set, flip-page) read into an archive query.
struct MAMRequest {
    let queryID: String?
    var query: ArchiveQuery

    /// Parses the query element; `rooms` are the rooms it covers (or the one account whose
    /// archive is asked: then `with` keeps its resource, XEP-0313 §4.1.1). Errors are the XEP's.
    init(_ element: XMLElement, rooms: [String], searchFields: Bool, withResource: Bool = false) throws(StanzaError) {
        queryID = element[attribute: "queryid"]
        query = ArchiveQuery(rooms: rooms)
        if let x = element.child("x", namespace: DataForm.namespace) {
            guard let form = DataForm(x), form.type == .submit else { throw StanzaError(.badRequest, text: "The query form must be submitted.") }
            if let type = form.formType, type != MAM.ns { throw StanzaError(.badRequest, text: "Unknown form type \(type).") }
            try read(form, searchFields: searchFields, withResource: withResource)
        }
        if let set = element.child("set", namespace: ResultSetRequest.namespace) {
            guard let page = ResultSetRequest(set) else { throw StanzaError(.badRequest, text: "Malformed result set request.") }
            if let max = page.max { query.max = min(max, 1000) }
            query.after = page.after
            query.before = page.before
            if page.index != nil { throw StanzaError(.featureNotImplemented, text: "Paging by index is not supported; use after/before.") }
        } else if let after = element.child("after", namespace: MAM.ns)?.text, !after.isEmpty {
            // Profanity 0.13 asks for the next page with `<after/>` straight in the query, outside
            // the XEP-0059 set; answering the first page again would show every message twice.
            query.after = after
        }
        query.flip = element.child("flip-page", namespace: MAM.ns) != nil
    }

    private mutating func read(_ form: DataForm, searchFields: Bool, withResource: Bool) throws(StanzaError) {
        if let with = form.values("with").first {
            guard let jid = try? JID(with) else { throw StanzaError(.jidMalformed, text: "'with' is not a JID.") }
            query.authors = [withResource ? jid.description : jid.bare.description]
        }
        if searchFields {
            for author in form.values(MAM.authors) {
                guard let jid = try? JID(author) else { throw StanzaError(.jidMalformed, text: "\(author) is not a JID.") }
                query.authors.append(jid.bare.description)
            }
        }
        query.start = try Self.date(form, "start")
        query.end = try Self.date(form, "end")
        query.afterID = form.values("after-id").first
        query.beforeID = form.values("before-id").first
        if form["ids"] != nil { query.ids = form.values("ids") }
        if let text = form.values(MAM.fulltext).first, !text.trimmingCharacters(in: .whitespaces).isEmpty {
            var match = TextMatch.all
            if let value = form.values(MAM.match).first {
                guard let parsed = TextMatch(rawValue: value.lowercased()) else {
                    throw StanzaError(.badRequest, text: "\(MAM.match) is all, any or exact.")
                }
                match = parsed
            }
            query.text = TextFilter(text, match: match, caseSensitive: form.bool(MAM.caseSensitive) ?? false)
        }
    }

    private static func date(_ form: DataForm, _ field: String) throws(StanzaError) -> Date? {
        guard let text = form.values(field).first else { return nil }
        guard let date = Timestamp.parse(text) else { throw StanzaError(.badRequest, text: "'\(field)' is not a XEP-0082 date-time.") }
        return date
    }

    /// The form a client gets when it asks which fields are supported.
    static func fieldsForm(searchFields: Bool) -> DataForm {
        var fields = [
            DataForm.Field("with", type: "jid-single", label: "Author"),
            DataForm.Field("start", type: "text-single", label: "From (UTC)"),
            DataForm.Field("end", type: "text-single", label: "To (UTC)"),
            DataForm.Field("before-id", type: "text-single"),
            DataForm.Field("after-id", type: "text-single"),
            DataForm.Field("ids", type: "text-multi"),
            DataForm.Field(MAM.fulltext, type: "text-single", label: "Keywords"),
            DataForm.Field(MAM.match, type: "list-single", label: "Match", values: ["all"],
                           options: TextMatch.allCases.map { (label: $0.rawValue, value: $0.rawValue) }),
            DataForm.Field(MAM.caseSensitive, type: "boolean", label: "Case sensitive", values: ["0"]),
        ]
        if searchFields { fields.append(DataForm.Field(MAM.authors, type: "jid-multi", label: "Authors")) }
        return DataForm(type: .form, formType: MAM.ns, fields: fields)
    }
}

/// What a MAM result forwards: an archived stanza, when it was archived, and its id.
protocol ArchivedStanza: Sendable {
    var stanza: String { get }
    var timestamp: Date { get }
    var stanzaID: String { get }
}

extension StoredMessage: ArchivedStanza {}
extension PersonalMessage: ArchivedStanza {}

/// Sends one archive page: a `<result/>` message per item, then the `<fin/>` iq.
struct MAMResponder {
    let router: Router
    /// Where results come from: the room, the service for a search across rooms, or the
    /// account's bare JID.
    let archiveJID: String

    func respond<Message: ArchivedStanza>(to iq: Stanza, request: MAMRequest, page: ArchiveResultPage<Message>) {
        guard let requester = iq.element[attribute: "from"] else { return }
        for message in page.messages {
            guard let original = try? XMLStreamParser.parseStanza(message.stanza, namespace: NS.client) else { continue }
            var forwarded = XMLElement("forwarded", namespace: MAM.forward)
            forwarded.append(XMLElement("delay", namespace: NS.delay, attributes: ["stamp": Timestamp.format(message.timestamp)]))
            forwarded.append(original)
            var result = XMLElement("result", namespace: MAM.ns, attributes: ["id": message.stanzaID])
            if let queryID = request.queryID { result[attribute: "queryid"] = queryID }
            result.append(forwarded)
            _ = router.route(XMLElement("message", namespace: NS.client, attributes: ["from": archiveJID, "to": requester],
                                        children: [.element(result)]))
        }
        var fin = XMLElement("fin", namespace: MAM.ns)
        if page.complete { fin[attribute: "complete"] = "true" }
        if let queryID = request.queryID { fin[attribute: "queryid"] = queryID }
        fin.append(ResultSetPage(first: page.first, last: page.last, count: page.count).element)
        var reply = iq.resultReply(fin)
        // An account's own query may have had no `to`: the archive answers (RFC 6120 §8.1.2.1).
        if reply[attribute: "from"] == nil { reply[attribute: "from"] = archiveJID }
        _ = router.route(reply)
    }

    /// XEP-0313 §6.2 metadata: the first and last archived ids.
    static func metadata(first: (any ArchivedStanza)?, last: (any ArchivedStanza)?) -> XMLElement {
        var metadata = XMLElement("metadata", namespace: MAM.ns)
        for (name, message) in [("start", first), ("end", last)] {
            guard let message else { continue }
            metadata.append(XMLElement(name, namespace: MAM.ns, attributes: ["id": message.stanzaID, "timestamp": Timestamp.format(message.timestamp)]))
        }
        return metadata
    }

    /// An archive failure as the XEP-0313 error.
    static func stanzaError(_ error: any Error) -> StanzaError {
        if let archive = error as? ArchiveError {
            switch archive.kind {
            case .itemNotFound: return StanzaError(.itemNotFound, text: archive.message)
            case .invalid: return StanzaError(.badRequest, text: archive.message)
            }
        }
        return .storage(error, text: "The archive could not be read.")
    }
}
