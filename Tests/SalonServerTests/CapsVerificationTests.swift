@testable import SalonServer
import Testing
import XMPPCore

/// XEP-0115 §5.2 and §5.3: the verification strings of the XEP's own examples.
@Suite("Entity capabilities verification strings")
struct CapsVerificationTests {
    func identity(_ lang: String?, _ name: String) -> XMLElement {
        var element = XMLElement("identity", namespace: NS.discoInfo, attributes: ["category": "client", "type": "pc", "name": name])
        if let lang { element.setAttribute("lang", namespace: NS.xml, to: lang) }
        return element
    }

    func features(_ vars: [String]) -> [XMLNode] {
        vars.map { .element(XMLElement("feature", namespace: NS.discoInfo, attributes: ["var": $0])) }
    }

    let standard = ["http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info",
                    "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc"]

    @Test func simpleExample() {
        let info = XMLElement("query", namespace: NS.discoInfo, children: [.element(identity(nil, "Exodus 0.9.1"))] + features(standard.reversed()))
        #expect(CapsCache.verificationHash(info, .sha1) == "QgayPKawpkPSDYmwT/WM94uAlu0=")
    }

    @Test func complexExampleWithAnExtendedForm() {
        let form = DataForm(type: .result, formType: "urn:xmpp:dataforms:softwareinfo", fields: [
            DataForm.Field("ip_version", values: ["ipv4", "ipv6"]),
            DataForm.Field("os", values: ["Mac"]),
            DataForm.Field("os_version", values: ["10.5.1"]),
            DataForm.Field("software", values: ["Psi"]),
            DataForm.Field("software_version", values: ["0.11"]),
        ])
        let info = XMLElement("query", namespace: NS.discoInfo,
                              children: [.element(identity("en", "Psi 0.11")), .element(identity("el", "Ψ 0.11"))]
                                  + features(standard) + [.element(form.element)])
        #expect(CapsCache.verificationHash(info, .sha1) == "q07IKJEyjvHSyhy//CH0CxmKi8w=")
    }

    @Test func announcedCapabilitiesAreReadOnlyWithAKnownHash() {
        func presence(_ hash: String) -> XMLElement {
            XMLElement("presence", namespace: NS.client, children: [.element(XMLElement("c", namespace: Caps.ns, attributes: [
                "hash": hash, "node": "https://example.org", "ver": "abc=",
            ]))])
        }
        #expect(CapsCache.capabilities(in: presence("sha-1"))?.hash == .sha1)
        #expect(CapsCache.capabilities(in: presence("md5")) == nil)
        #expect(CapsCache.capabilities(in: XMLElement("presence", namespace: NS.client)) == nil)
    }
}
