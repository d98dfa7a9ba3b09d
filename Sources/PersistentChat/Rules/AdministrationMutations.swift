/// Administrators, policy and service settings: administrators only (design §5).
extension ChatDirectory {
    /// Makes a user an administrator with `role` (idempotent; changes the role of an existing one).
    /// Only server administrators (and the system) grant, take or change the server role.
    public mutating func addAdministrator(_ user: String, role: AdministratorRole = .chat, by actor: ChatActor) throws(ChatRuleError) {
        try requireAdministrator(actor, to: "add administrators")
        let jid = try Self.canonicalUser(user)
        if role == .server || serverAdministrators.contains(jid) {
            try requireServerAdministrator(actor, to: "grant or change the server administrator role")
        }
        switch role {
        case .chat:
            serverAdministrators.remove(jid)
            administrators.insert(jid)
        case .server:
            administrators.remove(jid)
            serverAdministrators.insert(jid)
        }
    }

    /// Takes the administrator role away from a user; `notFound` when they have none.
    public mutating func removeAdministrator(_ user: String, by actor: ChatActor) throws(ChatRuleError) {
        try requireAdministrator(actor, to: "remove administrators")
        let jid = try Self.canonicalUser(user)
        if serverAdministrators.contains(jid) {
            try requireServerAdministrator(actor, to: "remove a server administrator")
            serverAdministrators.remove(jid)
            return
        }
        guard administrators.remove(jid) != nil else {
            throw ChatRuleError(.notFound, "\(jid) is not an administrator.")
        }
    }

    /// Sets the policy: a nil user is the global default (nil enabled restores the default, enabled);
    /// for a user, nil enabled clears their override.
    public mutating func setPolicy(user: String?, enabled: Bool?, by actor: ChatActor) throws(ChatRuleError) {
        try requireAdministrator(actor, to: "change the policy")
        guard let user else {
            policy.globalEnabled = enabled ?? ChatPolicy().globalEnabled
            return
        }
        policy.overrides[try Self.canonicalUser(user)] = enabled
    }

    /// Changes the service settings; ranges: history 1–500, sizes ≥ 1, URL empty or http(s).
    public mutating func updateSettings(by actor: ChatActor, _ change: (inout ServiceSettings) -> Void) throws(ChatRuleError) {
        try requireAdministrator(actor, to: "change the service settings")
        var proposed = settings
        change(&proposed)
        try Self.checkSettings(proposed)
        settings = proposed
    }

    static func checkSettings(_ settings: ServiceSettings) throws(ChatRuleError) {
        guard ChatLimits.chatHistoryRange.contains(settings.defaultChatHistory) else {
            throw ChatRuleError(.invalid, "DefaultChatHistory must be between 1 and 500.")
        }
        guard ChatLimits.sizeRange.contains(settings.maxFileSizeKB) else {
            throw ChatRuleError(.invalid, "MaxFileSizeKB must be between 1 and \(ChatLimits.sizeRange.upperBound).")
        }
        guard ChatLimits.sizeRange.contains(settings.participantUpdateLimit) else {
            throw ChatRuleError(.invalid, "ParticipantUpdateLimit must be between 1 and \(ChatLimits.sizeRange.upperBound).")
        }
        guard ChatLimits.roomQuotaRange.contains(settings.maxRoomsPerCreator) else {
            throw ChatRuleError(.invalid, "MaxRoomsPerCreator must be between 0 (no limit) and \(ChatLimits.roomQuotaRange.upperBound).")
        }
        if !settings.roomManagementURL.isEmpty {
            try TextRules.checkURL(settings.roomManagementURL, of: "RoomManagementUrl", maxLength: ChatLimits.maxSettingsURLLength)
        }
    }
}
