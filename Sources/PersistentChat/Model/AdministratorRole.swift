/// The two administrator roles of persistent chat: chat administrators run the chat service;
/// server administrators also run accounts, sessions and announcements.
public enum AdministratorRole: String, Sendable, Hashable, Codable, CaseIterable {
    case chat
    case server
}
