extension SalonDatabase {
    /// Persistent chat: the directory, invitations, joins and room vCards.
    public var chat: any ChatStore { SQLiteChatStore(access: StoreAccess(writer: writer)) }
}
