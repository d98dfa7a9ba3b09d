extension StoreError.Kind {
    /// The value collides with a stored one (a stanza ID already archived…).
    public static let conflict = StoreError.Kind("conflict")
    /// No room with that localpart is in the stored directory.
    public static let roomNotFound = StoreError.Kind("roomNotFound")
}
