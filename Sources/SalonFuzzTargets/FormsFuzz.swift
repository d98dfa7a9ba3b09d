import SalonServer
import SalonStore
import XMPPCore

/// XEP-0004 data forms, XEP-0059 result sets and the XEP-0313 query that carries both, read
/// from one element parsed out of the input. A form read from its own element is a fixed
/// point; a result set's numbers are never negative; a MAM query keeps its page within the
/// archive's bounds.
enum FormsFuzz {
    static let rooms = ["lobby", "design"]

    static func run(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        guard let element = try? XMLStreamParser.parseStanza(text, namespace: "jabber:client") else { return }
        for candidate in [element] + descendants(of: element) {
            check(candidate)
        }
    }

    static func check(_ element: XMLElement) {
        if let form = DataForm(element) {
            let once = DataForm(form.element)
            fuzzCheck(once != nil, "a form's own element is not a form")
            let twice = once.flatMap { DataForm($0.element) }
            fuzzCheck(once == twice, "a written form reads back differently")
            let written = form.element.serialized()
            fuzzCheck((try? XMLStreamParser.parseStanza(written, namespace: DataForm.namespace)) == form.element,
                         "a form's XML does not parse back: \(written)")
            _ = form.formType
            _ = form.bool("muc#roomconfig_persistentroom")
        }
        if let set = ResultSetRequest(element) {
            fuzzCheck((set.max ?? 0) >= 0 && (set.index ?? 0) >= 0, "negative result set numbers")
        }
        if element.name == "query", element.namespace == "urn:xmpp:mam:2" {
            for searchFields in [false, true] {
                guard let query = try? MAMQueryReader.archiveQuery(element, rooms: rooms, searchFields: searchFields) else { continue }
                fuzzCheck(query.rooms == rooms)
                fuzzCheck((0...ArchivePageLimits.maxPageSize).contains(query.max), "page size \(query.max) out of bounds")
                if !searchFields { fuzzCheck(query.authors.count <= 1) }
            }
        }
    }

    static func descendants(of element: XMLElement) -> [XMLElement] {
        element.elements.flatMap { [$0] + descendants(of: $0) }
    }
}
