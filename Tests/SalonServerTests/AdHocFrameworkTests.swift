import Foundation
import Logging
@testable import SalonServer
import Synchronization
import Testing
import XMPPCore

/// The XEP-0050 session machinery on its own, with a two-stage command.
@Suite("Ad-hoc sessions")
struct AdHocFrameworkTests {
    let twoStages = AdHocCommand(node: "two", name: "Two stages", mayRun: { $0 == "alice@example.com" }) { request in
        guard request.stage(0) != nil else { return .form(DataForm(type: .form, fields: [.text("a", "A")]), final: false) }
        guard let second = request.stage(1) else { return .form(DataForm(type: .form, fields: [.text("b", "B")]), final: true) }
        return .done("a=\(request.stages[0].values("a").first ?? "") b=\(second.values("b").first ?? "")")
    }

    func command(_ action: String?, session: String? = nil, submit values: [String: String]? = nil) -> XMLElement {
        var attributes = ["node": "two"]
        if let action { attributes["action"] = action }
        if let session { attributes["sessionid"] = session }
        let form = values.map { DataForm(type: .submit, fields: $0.map { DataForm.Field($0.key, values: [$0.value]) }).element }
        return XMLElement("command", namespace: AdHocCommands.ns, attributes: attributes, children: form.map { [.element($0)] } ?? [])
    }

    @Test("Each stage's form is kept until complete; an idle session expires with session-expired")
    func stagesAndExpiry() async throws {
        let clock = TestClock()
        let commands = AdHocCommands(jid: "chat.example.com", logger: Logger(label: "test"), sessionLifetime: 600,
                                     clock: { clock.now.withLock { $0 } })
        commands.register([twoStages])
        let first = try await commands.handle(command(nil), user: "alice@example.com").get()
        let session = try #require(first[attribute: "sessionid"])
        _ = try await commands.handle(command("next", session: session, submit: ["a": "1"]), user: "alice@example.com").get()
        let done = try await commands.handle(command("complete", session: session, submit: ["b": "2"]), user: "alice@example.com").get()
        #expect(done[attribute: "status"] == "completed")
        #expect(done.child("note", namespace: AdHocCommands.ns)?.text == "a=1 b=2")

        let again = try await commands.handle(command("execute"), user: "alice@example.com").get()
        clock.now.withLock { $0 += 601 }
        let expired = await commands.handle(command("next", session: again[attribute: "sessionid"], submit: ["a": "1"]), user: "alice@example.com")
        guard case .failure(let error) = expired else { Issue.record("an expired session was resumed"); return }
        #expect(error.condition == .notAllowed && error.applicationCondition?.name == "session-expired")

        let refused = await commands.handle(command(nil), user: "bob@example.com")
        guard case .failure(let forbidden) = refused else { Issue.record("bob ran alice's command"); return }
        #expect(forbidden.condition == .forbidden)
    }
}

/// A time that moves only when the test moves it.
final class TestClock: Sendable {
    let now = Mutex(Date())
}
