import PersistentChat
import XMPPCore

/// One XEP-0050 command: who may run it and what each stage does. Commands keep no state of
/// their own: the session hands `run` every form submitted so far, so prev/next come for free.
struct AdHocCommand: Sendable {
    let node: String
    let name: String
    /// Whether a user (bare JID) may see and run it.
    let mayRun: @Sendable (String) -> Bool
    /// Whether it administers something (logged as an admin command) rather than serving any user (search).
    var administrative = true
    /// The next step for this request; thrown ChatRuleError and AdHocInputError end the
    /// command with an error note, a thrown StanzaError answers with that error.
    let run: @Sendable (AdHocRequest) async throws -> AdHocStep
}

/// What the requester has sent so far.
struct AdHocRequest: Sendable {
    /// The requester's bare JID.
    let user: String
    /// One submitted form per completed stage, in order.
    let stages: [DataForm]

    var actor: ChatActor { .user(user) }

    /// The form submitted for stage `index`, if that stage is done.
    func stage(_ index: Int) -> DataForm? { index < stages.count ? stages[index] : nil }
}

enum AdHocStep: Sendable {
    /// Ask for input; `final` when submitting this form completes the command.
    case form(DataForm, final: Bool)
    /// Done: an optional result form and an informational note.
    case completed(DataForm?, note: String?)

    static func done(_ note: String) -> AdHocStep { .completed(nil, note: note) }
}

/// Input a command cannot use: the command ends with this text as an error note.
struct AdHocInputError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
