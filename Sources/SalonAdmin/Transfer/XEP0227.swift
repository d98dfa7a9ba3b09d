import Foundation
import SalonSecurity
import SalonStore
import XMPPCore

/// XEP-0227 (Portable Import/Export Format for XMPP-IM Servers): accounts with their SCRAM
/// credentials (`urn:xmpp:pie:0#scram`, as Prosody writes them) and rosters. Salon writes
/// credentials, never passwords; it reads either, so accounts moved from Prosody or ejabberd
/// keep their passwords.
enum XEP0227 {
    static let namespace = "urn:xmpp:pie:0"
    static let scramNamespace = "urn:xmpp:pie:0#scram"
    static let rosterNamespace = "jabber:iq:roster"

    /// The opening of the document, before the first `<host>`.
    static let prologue = "<?xml version='1.0' encoding='UTF-8'?>\n<server-data xmlns='\(namespace)'>\n"
    static let epilogue = "</server-data>\n"

    static func hostOpening(_ domain: String) -> String {
        "<host jid='\(escapedAttribute(domain))'>\n"
    }
    static let hostClosing = "</host>\n"

    /// One `<user>` element, serialised inside a `<host>`.
    static func user(_ account: TransferredAccount) -> String {
        var user = XMLElement("user", namespace: namespace, attributes: ["name": localpart(of: account.jid)])
        for credential in account.credentials {
            user.append(XMLElement("scram-credentials", namespace: scramNamespace,
                                   attributes: ["mechanism": credential.algorithm.scramMechanism(plus: false)], children: [
                                       .element(text("iter-count", String(credential.iterations))),
                                       .element(text("salt", Base64.encode(credential.salt))),
                                       .element(text("server-key", Base64.encode(credential.serverKey))),
                                       .element(text("stored-key", Base64.encode(credential.storedKey))),
                                   ]))
        }
        if !account.roster.isEmpty {
            var query = XMLElement("query", namespace: rosterNamespace)
            for item in account.roster {
                var attributes = ["jid": item.jid, "subscription": item.subscription]
                if let name = item.name { attributes["name"] = name }
                if item.ask { attributes["ask"] = "subscribe" }
                query.append(XMLElement("item", namespace: rosterNamespace, attributes: attributes,
                                        children: item.groups.map { .element(text("group", $0, namespace: rosterNamespace)) }))
            }
            user.append(query)
        }
        return user.serialized(parentNamespace: namespace) + "\n"
    }

    /// Reads the accounts of a XEP-0227 document. `password` derives credentials from a
    /// plaintext password attribute (hashed at once, never kept). Unknown children (vCards,
    /// private XML, offline messages) are skipped.
    static func accounts(in text: String, maxBytes: Int,
                         password: (String) -> [SCRAMCredentials]) throws -> [TransferredAccount] {
        let document = try parse(text, maxBytes: maxBytes)
        // ejabberd's export_piefxis writes each host to a file of its own whose root is <host/>
        // (the main file only XIncludes them).
        let hosts: [XMLElement]
        switch (document.name, document.namespace) {
        case ("server-data", namespace): hosts = document.children("host", namespace: namespace)
        case ("host", namespace): hosts = [document]
        default:
            throw ExportDocumentError(description: "not a XEP-0227 document: its root is <\(document.name.prefix(64))/> in \(document.namespace.prefix(100))")
        }
        var accounts: [TransferredAccount] = []
        for host in hosts {
            guard let domain = host[attribute: "jid"] else { throw ExportDocumentError(description: "a <host/> has no jid") }
            for user in host.children("user", namespace: namespace) {
                guard let name = user[attribute: "name"], let jid = try? JID(localpart: name, domainpart: domain, resourcepart: nil) else {
                    throw ExportDocumentError(description: "user '\((user[attribute: "name"] ?? "").prefix(100))' of \(domain.prefix(100)) is not a valid JID")
                }
                var credentials = try user.children("scram-credentials", namespace: scramNamespace).compactMap(scram)
                if let plaintext = user[attribute: "password"], !plaintext.isEmpty {
                    credentials = plaintext.hasPrefix("scram:") ? [try oldEjabberdSCRAM(plaintext)] : password(plaintext)
                }
                let roster = try user.children("query", namespace: rosterNamespace).flatMap { query in
                    try query.children("item", namespace: rosterNamespace).compactMap(rosterItem)
                }
                accounts.append(TransferredAccount(jid: jid.description, credentials: credentials, roster: roster))
            }
        }
        return accounts
    }

    /// One credential; nil for a mechanism Salon does not offer (e.g. SCRAM-SHA-512).
    private static func scram(_ element: XMLElement) throws -> SCRAMCredentials? {
        guard let algorithm = HashAlgorithm.allCases.first(where: { $0.scramMechanism(plus: false) == element[attribute: "mechanism"] }) else {
            return nil
        }
        func bytes(_ name: String) throws -> [UInt8] {
            guard let text = element.child(name, namespace: scramNamespace)?.text,
                  let bytes = Base64.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), !bytes.isEmpty else {
                throw ExportDocumentError(description: "\(algorithm.scramMechanism(plus: false)) credentials without a base64 <\(name)/>")
            }
            return bytes
        }
        guard let countText = element.child("iter-count", namespace: scramNamespace)?.text,
              let iterations = Int(countText.trimmingCharacters(in: .whitespacesAndNewlines)), iterations > 0 else {
            throw ExportDocumentError(description: "\(algorithm.scramMechanism(plus: false)) credentials without a positive <iter-count/>")
        }
        var (salt, storedKey, serverKey) = (try bytes("salt"), try bytes("stored-key"), try bytes("server-key"))
        // ejabberd keeps salt and keys base64-encoded and its export_piefxis encodes them once
        // more: keys a digest long after a second decoding mean all three were encoded twice.
        if storedKey.count != algorithm.digestLength, let inner = twiceEncoded(storedKey, algorithm),
           let server = twiceEncoded(serverKey, algorithm), let innerSalt = Base64.decode(String(decoding: salt, as: UTF8.self)) {
            (salt, storedKey, serverKey) = (innerSalt, inner, server)
        }
        guard storedKey.count == algorithm.digestLength, serverKey.count == algorithm.digestLength else {
            throw ExportDocumentError(description: "\(algorithm.scramMechanism(plus: false)) keys are not \(algorithm.digestLength) bytes")
        }
        return SCRAMCredentials(algorithm: algorithm, salt: salt, iterations: iterations, storedKey: storedKey, serverKey: serverKey)
    }

    /// The key inside `bytes` when they are the base64 text of a key of the algorithm's length.
    private static func twiceEncoded(_ bytes: [UInt8], _ algorithm: HashAlgorithm) -> [UInt8]? {
        guard let inner = Base64.decode(String(decoding: bytes, as: UTF8.self)), inner.count == algorithm.digestLength else { return nil }
        return inner
    }

    /// ejabberd before XEP-0227 1.1 wrote SCRAM keys into the password attribute:
    /// `scram:[sha256,]StoredKey,ServerKey,Salt,IterationCount`, base64 but the count.
    private static func oldEjabberdSCRAM(_ text: String) throws -> SCRAMCredentials {
        var fields = text.dropFirst("scram:".count).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var algorithm = HashAlgorithm.sha1
        if fields.count == 5, fields[0] == "sha256" {
            algorithm = .sha256
            fields.removeFirst()
        }
        guard fields.count == 4, let storedKey = Base64.decode(fields[0]), let serverKey = Base64.decode(fields[1]),
              let salt = Base64.decode(fields[2]), let iterations = Int(fields[3]), iterations > 0 else {
            throw ExportDocumentError(description: "a scram: password attribute is not StoredKey,ServerKey,Salt,IterationCount")
        }
        return SCRAMCredentials(algorithm: algorithm, salt: salt, iterations: iterations, storedKey: storedKey, serverKey: serverKey)
    }

    private static func rosterItem(_ element: XMLElement) throws -> RosterItem? {
        guard let text = element[attribute: "jid"], let jid = try? JID(text) else {
            throw ExportDocumentError(description: "a roster item's jid '\((element[attribute: "jid"] ?? "").prefix(100))' is not a JID")
        }
        let subscription = element[attribute: "subscription"] ?? "none"
        guard subscription != "remove" else { return nil }
        return RosterItem(jid: jid.bare.description, name: element[attribute: "name"], subscription: subscription,
                          ask: element[attribute: "ask"] == "subscribe",
                          groups: element.children("group", namespace: rosterNamespace).map(\.text))
    }

    /// The document's root element. The stream parser reads it as one stanza, with its limits
    /// (no DTDs or entities, bounded depth, at most `maxBytes`).
    private static func parse(_ text: String, maxBytes: Int) throws -> XMLElement {
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        body = body.drop(while: \.isWhitespace)
        if body.hasPrefix("<?xml"), let end = body.range(of: "?>") { body = body[end.upperBound...] }
        do {
            return try XMLStreamParser.parseStanza(String(body), namespace: namespace,
                                                   limits: XMLStreamLimits(maxStanzaBytes: maxBytes, maxDepth: 16))
        } catch {
            throw ExportDocumentError(description: "not well-formed XML: \(error)")
        }
    }

    private static func text(_ name: String, _ value: String, namespace: String = scramNamespace) -> XMLElement {
        XMLElement(name, namespace: namespace, children: [.text(value)])
    }

    private static func escapedAttribute(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "'": escaped += "&apos;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func localpart(of jid: String) -> String {
        jid.firstIndex(of: "@").map { String(jid[..<$0]) } ?? jid
    }

    static func domain(of jid: String) -> String {
        jid.firstIndex(of: "@").map { String(jid[jid.index(after: $0)...]) } ?? jid
    }
}
