import PersistentChat

/// A change to a category, as any front end collects it (CLI options, an ad-hoc form); nil
/// leaves a setting as it is. PersistentChat validates the result.
public struct CategoryEdit: Sendable {
    public var name: String?
    public var description: String?
    public var allowed = PrincipalListEdit()
    public var denied = PrincipalListEdit()
    public var creators = PrincipalListEdit()
    public var invitations: Bool?
    public var fileUpload: Bool?
    public var chatHistory: Bool?

    public init() {}

    public func apply(to category: inout Category) {
        if let name { category.name = name }
        if let description { category.description = description }
        category.allowed = allowed.applied(to: category.allowed)
        category.denied = denied.applied(to: category.denied)
        category.creators = creators.applied(to: category.creators)
        if let invitations { category.invitations = invitations }
        if let fileUpload { category.fileUpload = fileUpload }
        if let chatHistory { category.chatHistory = chatHistory }
    }
}

extension Principal {
    /// Principals from text: user@domain, group:NAME, domain:NAME (see `Principal.init`).
    public static func list(_ texts: [String], userDomain: String? = nil) throws(ChatRuleError) -> [Principal] {
        var result: [Principal] = []
        for text in texts { result.append(try Principal(text, userDomain: userDomain)) }
        return result
    }
}
