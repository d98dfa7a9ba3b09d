import NIOCore
import XMPPCore

/// Per-user limits on presence broadcasts and nickname changes: one user must not flood
/// every other occupant (and delay their messages) with presence. Leaving is never limited.
///
/// Over the limit the sender gets its presence back as an error, `policy-violation` of type
/// wait with a text, and nothing is broadcast. XEP-0045 defines no error for this; dropping
/// silently would leave the client believing others see a status or nickname they do not.
extension MUCRoom {
    /// Spends from `user`'s budget for `change`; on refusal answers the sender and logs
    /// (once per interval per user and room) and returns false.
    func allowsPresenceChange(_ change: PresenceBudget.Change, stanza: Stanza, user: String) -> Bool {
        var budget = presenceBudgets[user] ?? PresenceBudget(environment.presenceRates)
        let allowed = budget.spend(change, now: .now())
        presenceBudgets[user] = budget
        if allowed { return true }
        let what = change == .nickChange ? "nickname changes" : "presence changes"
        bounce(stanza, StanzaError(.policyViolation, type: .wait, text: "Too many \(what) in this room: wait a moment and try again."))
        if environment.refusalLog.shouldLog("\(localpart)\u{0}\(user)") {
            environment.logger.notice("room presence rate-limited", metadata: [
                "account": "\(user)", "room": "\(localpart)", "refused": "\(what)",
            ])
        }
        return false
    }

    /// Drops the budgets of users no longer in the room once they have refilled, so the
    /// table does not grow with everyone who ever passed through.
    func forgetUnusedPresenceBudgets() {
        guard presenceBudgets.count > occupants.count else { return }
        let present = Set(occupants.values.map(\.user))
        let now = NIODeadline.now()
        presenceBudgets = presenceBudgets.filter { present.contains($0.key) || !$0.value.isUnused(now: now) }
    }
}
