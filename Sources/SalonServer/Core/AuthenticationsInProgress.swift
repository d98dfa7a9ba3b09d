/// Authentication attempts in progress per address, across all client connections: from the
/// `<auth/>` whose password is about to be checked until its answer is sent (a failure's answer
/// waits for the login throttle's delay). The throttle slows each connection down, but every
/// connection from an address still has its password checked — a PBKDF2 derivation for PLAIN —
/// so an address that opens many connections could keep the CPU busy; past the cap an attempt
/// is answered at once, unchecked.
final class AuthenticationsInProgress: Sendable {
    private let places = PlacesPerKey()
    /// Lets the refusal be logged once a minute per address, not once per attempt.
    let refusalLog = LogThrottle()

    /// Takes a place for `address`; false when it already has `limit` attempts in progress.
    func enter(_ address: String, limit: Int) -> Bool { places.take(address, limit: limit) }

    /// Gives back a place `enter` took.
    func leave(_ address: String) { places.giveBack(address) }

    /// Attempts in progress from `address` (tests).
    func count(_ address: String) -> Int { places.count(address) }
}
