import XMPPCore

/// JID parsing and normalisation (RFC 7622). Beyond "no crash": the normal form must be a
/// fixed point (parsing a JID's string gives the same JID), building from the parts must
/// agree with parsing, and the derived JIDs must keep their parts.
enum JIDFuzz {
    static func run(_ data: [UInt8]) {
        guard let string = String(validating: data, as: UTF8.self) else { return }
        let jid: JID
        do throws(JIDError) {
            jid = try JID(string)
        } catch {
            return
        }
        let text = jid.description
        fuzzCheck(!text.isEmpty && text.utf8.count <= 3 * 1023 + 2, "normal form out of bounds")
        if let localpart = jid.localpart {
            fuzzCheck(!localpart.isEmpty && !localpart.contains("@") && !localpart.contains("/"), "localpart holds a separator: \(text)")
        }
        fuzzCheck(!jid.domainpart.contains("@") && !jid.domainpart.contains("/"), "domainpart holds a separator: \(text)")
        fuzzCheck(!jid.domainpart.hasSuffix("."), "domainpart keeps its final dot: \(text)")

        let reparsed: JID
        do throws(JIDError) {
            reparsed = try JID(text)
        } catch {
            fatalError("the normal form \(text) does not parse: \(error)")
        }
        fuzzCheck(reparsed == jid && reparsed.description == text, "normalisation is not idempotent: \(text) → \(reparsed)")

        do throws(JIDError) {
            let rebuilt = try JID(localpart: jid.localpart, domainpart: jid.domainpart, resourcepart: jid.resourcepart)
            fuzzCheck(rebuilt == jid, "parts rebuild another JID: \(text) → \(rebuilt)")
            let bare = jid.bare
            fuzzCheck(bare.resourcepart == nil && bare.localpart == jid.localpart && bare.domainpart == jid.domainpart)
            let withResource = try bare.with(resource: jid.resourcepart)
            fuzzCheck(withResource == jid, "bare plus resource is another JID: \(text)")
            fuzzCheck(jid.domain.localpart == nil && jid.domain.domainpart == jid.domainpart)
            fuzzCheck(!(jid < jid) && (bare == jid || bare < jid), "ordering is inconsistent for \(text)")
        } catch {
            fatalError("parts of \(text) are refused: \(error)")
        }
    }
}
