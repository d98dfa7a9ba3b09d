import Foundation
@testable import SalonAdmin
import SalonSecurity
import SalonStore
import SalonTestSupport
import Testing

@Suite("XEP-0227 imports from other servers")
struct XEP0227ImportTests {
    private func write(_ text: String, name: String = "users.xml") throws -> String {
        let directory = URL(fileURLWithPath: try ScratchDirectory.make("xep0227"))
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A `<scram-credentials/>` element as ejabberd 23.01's export_piefxis writes it (iter-count,
    /// salt, server-key, stored-key; explicit xmlns), salt and keys base64-encoded twice as it
    /// does (it stores them base64-encoded and encodes them again), or once as XEP-0227 says.
    private func ejabberdSCRAM(_ password: String, _ algorithm: HashAlgorithm, twice: Bool = true) -> String {
        let credential = SCRAMCredentials.derive(password: password, algorithm: algorithm, iterations: 4096)
        let encode: ([UInt8]) -> String = { twice ? Base64.encode(Array(Base64.encode($0).utf8)) : Base64.encode($0) }
        return "<scram-credentials xmlns='urn:xmpp:pie:0#scram' mechanism='\(algorithm.scramMechanism(plus: false))'>"
            + "<iter-count>4096</iter-count><salt>\(encode(credential.salt))</salt>"
            + "<server-key>\(encode(credential.serverKey))</server-key><stored-key>\(encode(credential.storedKey))</stored-key>"
            + "</scram-credentials>"
    }

    @Test("An ejabberd export_piefxis directory: SCRAM keys keep passwords working, plaintext is hashed, rosters come along")
    func ejabberd() async throws {
        // The shape of ejabberd 23.01's export_piefxis_host (seen running it): a main file that
        // XIncludes one file per host whose root is <host/>, users with SCRAM credentials or a
        // password attribute, roster queries and pending subscriptions as presence.
        let main = """
            <?xml version='1.0' encoding='UTF-8'?><server-data xmlns='urn:xmpp:pie:0' xmlns:xi='http://www.w3.org/2001/XInclude'>\
            <xi:include href='20261206-124703_example.com.xml'/></server-data>
            """
        let document = """
            <?xml version='1.0' encoding='UTF-8'?>
            <host xmlns='urn:xmpp:pie:0' xmlns:xi='http://www.w3.org/2001/XInclude' jid='example.com'>
            <user name='alice'>\(ejabberdSCRAM("alice-pw", .sha1))\(ejabberdSCRAM("alice-pw", .sha256))\
            <query xmlns='jabber:iq:roster'><item subscription='both' name='Bob' jid='bob@example.com'><group>Friends</group></item>\
            <item subscription='none' ask='subscribe' jid='carol@elsewhere.net'/></query>\
            <presence xmlns='jabber:client' type='subscribe' to='alice@example.com' from='dave@example.com'/></user>
            <user name='bob' password='bob-pw'/>
            <user name='Eve'>\(ejabberdSCRAM("eve-pw", .sha1, twice: false))\(ejabberdSCRAM("eve-pw", .sha1).replacingOccurrences(of: "SCRAM-SHA-1", with: "SCRAM-SHA-512"))</user>
            </host>
            """
        let directory = URL(fileURLWithPath: try write(main, name: "20261206-124703.xml")).deletingLastPathComponent()
        try Data(document.utf8).write(to: directory.appendingPathComponent("20261206-124703_example.com.xml"))
        let service = try TransferService.make()
        let report = try await service.importer().importFile(at: directory.path, dryRun: false)
        #expect(report.conflicts == [])
        #expect((report.accountsAdded, report.rosterItemsAdded) == (3, 2))
        for (jid, password) in [("alice@example.com", "alice-pw"), ("bob@example.com", "bob-pw"), ("eve@example.com", "eve-pw")] {
            let credential = try #require(try await service.database.accounts.credential(jid: jid, algorithm: .sha1), "\(jid)")
            #expect(credential.verify(password: password), "\(jid)")
        }
        #expect(try await service.database.accounts.credential(jid: "bob@example.com", algorithm: .sha256)?.verify(password: "bob-pw") == true)
        let roster = try await service.database.rosters.items(owner: "alice@example.com")
        #expect(roster == [RosterItem(jid: "bob@example.com", name: "Bob", subscription: "both", groups: ["Friends"]),
                           RosterItem(jid: "carol@elsewhere.net", subscription: "none", ask: true)])
        let again = try await service.importer().importFile(at: directory.path, dryRun: false)
        #expect((again.accountsAdded, again.accountsPresent, again.rosterItemsAdded) == (0, 3, 0))
    }

    @Test("ejabberd's older scram: password attribute is read as SCRAM keys")
    func oldEjabberdPassword() async throws {
        let credential = SCRAMCredentials.derive(password: "old-pw", algorithm: .sha1, iterations: 4096)
        let password = "scram:\(Base64.encode(credential.storedKey)),\(Base64.encode(credential.serverKey)),\(Base64.encode(credential.salt)),4096"
        let service = try TransferService.make()
        let report = try await service.importer().importFile(at: try write("""
            <server-data xmlns='urn:xmpp:pie:0'><host jid='example.com'><user name='old' password='\(password)'/></host></server-data>
            """), dryRun: false)
        #expect(report.accountsAdded == 1)
        #expect(try await service.database.accounts.credential(jid: "old@example.com", algorithm: .sha1)?.verify(password: "old-pw") == true)
    }

    @Test("Accounts of another domain are conflicts; malformed XML and DTDs are refused")
    func refusals() async throws {
        let service = try TransferService.make()
        let foreign = try await service.importer().importFile(at: try write("""
            <server-data xmlns='urn:xmpp:pie:0'><host jid='other.org'><user name='x' password='p'/></host></server-data>
            """), dryRun: false)
        #expect(foreign.conflicts == ["account x@other.org is not in this server's domain example.com"])
        #expect(try await service.database.accounts.count(domain: nil) == 0)
        for text in ["<server-data xmlns='urn:xmpp:pie:0'><host jid='example.com'>",
                     "<!DOCTYPE x [<!ENTITY a 'aaaa'>]><server-data xmlns='urn:xmpp:pie:0'/>",
                     "<other xmlns='urn:example'/>"] {
            await #expect(throws: ImportError.self) { _ = try await service.importer().importFile(at: try write(text), dryRun: false) }
        }
    }
}
