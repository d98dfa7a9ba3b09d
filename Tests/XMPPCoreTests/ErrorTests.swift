import Testing
import XMPPCore

@Suite("Stream and stanza errors")
struct ErrorTests {
    @Test func allConditionsArePresent() {
        #expect(StreamErrorCondition.allCases.count == 25)
        #expect(StanzaErrorCondition.allCases.count == 22)
        #expect(Set(StreamErrorCondition.allCases.map(\.rawValue)).count == 25)
        #expect(Set(StanzaErrorCondition.allCases.map(\.rawValue)).count == 22)
    }

    @Test(arguments: StreamErrorCondition.allCases)
    func streamConditionSerialises(_ condition: StreamErrorCondition) throws {
        let error = XMLStreamError(condition, text: "why <not>")
        let xml = error.element.serialized(parentNamespace: NS.client)
        #expect(xml == "<stream:error xmlns:stream='http://etherx.jabber.org/streams'>"
            + "<\(condition.rawValue) xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
            + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>why &lt;not&gt;</text></stream:error>")
        let parsed = try parseElement(xml)
        #expect(parsed == error.element)
        #expect(parsed.elements.first.flatMap { StreamErrorCondition(rawValue: $0.name) } == condition)
        #expect(streamErrorElement(condition, text: nil).elements.count == 1)
        #expect(XMLStreamError(condition).element.elements.count == 1)
    }

    @Test func seeOtherHostCarriesTheHost() {
        #expect(streamErrorElement(seeOtherHost: "[2001:db8::1]:5222").serialized(parentNamespace: NS.client)
            == "<stream:error xmlns:stream='http://etherx.jabber.org/streams'>"
            + "<see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:db8::1]:5222</see-other-host></stream:error>")
    }

    @Test(arguments: StanzaErrorCondition.allCases)
    func stanzaConditionSerialises(_ condition: StanzaErrorCondition) throws {
        let error = StanzaError(condition, text: "because & so")
        let xml = error.element.serialized(parentNamespace: NS.client)
        #expect(xml == "<error type='\(condition.defaultType.rawValue)'>"
            + "<\(condition.rawValue) xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
            + "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>because &amp; so</text></error>")
        let parsed = try #require(StanzaError(element: try parseElement(xml)))
        #expect(parsed == error)
        #expect(StanzaError(condition).element.elements.count == 1)
    }

    @Test func defaultTypesFollowRFC6120() {
        let expected: [StanzaErrorCondition: StanzaErrorType] = [
            .badRequest: .modify, .conflict: .cancel, .featureNotImplemented: .cancel, .forbidden: .auth,
            .gone: .cancel, .internalServerError: .cancel, .itemNotFound: .cancel, .jidMalformed: .modify,
            .notAcceptable: .modify, .notAllowed: .cancel, .notAuthorized: .auth, .policyViolation: .modify,
            .recipientUnavailable: .wait, .redirect: .modify, .registrationRequired: .auth,
            .remoteServerNotFound: .cancel, .remoteServerTimeout: .wait, .resourceConstraint: .wait,
            .serviceUnavailable: .cancel, .subscriptionRequired: .auth, .undefinedCondition: .cancel,
            .unexpectedRequest: .wait,
        ]
        for condition in StanzaErrorCondition.allCases {
            #expect(condition.defaultType == expected[condition], "\(condition)")
        }
    }

    @Test func explicitTypeAndExtras() throws {
        var error = StanzaError(.redirect, type: .cancel)
        error.alternateAddress = "xmpp:room@muc.example.com"
        error.by = "muc.example.com"
        let element = error.element(namespace: NS.component)
        #expect(element.serialized(parentNamespace: NS.component)
            == "<error type='cancel' by='muc.example.com'>"
            + "<redirect xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>xmpp:room@muc.example.com</redirect></error>")
        #expect(StanzaError(element: element) == error)
        #expect(StanzaError(element: XMLElement("error", namespace: NS.client)) == nil)
    }
}
