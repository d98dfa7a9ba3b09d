extension SalonDatabase {
    /// Persistent chat: the directory, room messages and invitations.
    public var chat: ChatStore { ChatStore(access: StoreAccess(writer: writer)) }
}
