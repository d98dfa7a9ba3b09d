/// Registering add-ins: administrators only (design §4).
extension ChatDirectory {
    /// Validates and registers an add-in.
    public mutating func createAddIn(_ addIn: AddIn, by actor: ChatActor) throws(ChatRuleError) {
        try requireAdministrator(actor, to: "register add-ins")
        try checkAddIn(addIn, exceptKey: nil)
        addIns[addIn.name.lowercased()] = addIn
    }

    /// Changes an add-in; a rename follows into the rooms that use it.
    public mutating func updateAddIn(named name: String, by actor: ChatActor,
                                     _ change: (inout AddIn) throws(ChatRuleError) -> Void) throws(ChatRuleError) {
        try requireAdministrator(actor, to: "change add-ins")
        guard let key = addInKey(named: name), let previous = addIns[key] else { throw Self.addInNotFound(name) }
        var addIn = previous
        try change(&addIn)
        try checkAddIn(addIn, exceptKey: key)
        addIns[key] = nil
        addIns[addIn.name.lowercased()] = addIn
        if addIn.name != previous.name {
            let oldName = previous.name.lowercased()
            for (localpart, room) in rooms where room.addIn?.lowercased() == oldName {
                rooms[localpart]?.addIn = addIn.name
            }
        }
    }

    /// Unregisters an add-in; the rooms that use it lose it.
    public mutating func removeAddIn(named name: String, by actor: ChatActor) throws(ChatRuleError) {
        try requireAdministrator(actor, to: "remove add-ins")
        guard let key = addInKey(named: name), let addIn = addIns[key] else { throw Self.addInNotFound(name) }
        addIns[key] = nil
        let oldName = addIn.name.lowercased()
        for (localpart, room) in rooms where room.addIn?.lowercased() == oldName {
            rooms[localpart]?.addIn = nil
        }
    }

    /// Name 1…50 characters and unique (case-insensitively); URL http(s), ≤ 255.
    func checkAddIn(_ addIn: AddIn, exceptKey: String?) throws(ChatRuleError) {
        try TextRules.checkName(addIn.name, of: "add-in", maxCharacters: ChatLimits.maxAddInNameCharacters)
        try TextRules.checkURL(addIn.url, of: "add-in URL", maxLength: ChatLimits.maxAddInURLLength)
        let existing = addInKey(named: addIn.name)
        guard existing == nil || existing == exceptKey else {
            throw ChatRuleError(.conflict, "An add-in named \(addIn.name) already exists.")
        }
    }

    public static func addInNotFound(_ name: String) -> ChatRuleError {
        ChatRuleError(.notFound, "Add-in \(name.prefix(80)) is not registered.")
    }
}
