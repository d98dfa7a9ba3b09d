/// Who acts: a trusted operator (CLI, server-admin command) with every right, or a user.
public enum ChatActor: Sendable, Hashable {
    /// A trusted operator: every right, no scope or policy checks.
    case system
    /// A user, by lowercased bare JID.
    case user(String)
}
