/// Why a SCRAM exchange was refused, beyond a wrong password or an unknown user.
public enum SCRAMRefusal: Sendable, Equatable {
    /// A -PLUS attempt named a binding type this connection does not offer (tls-unique under TLS 1.3).
    case bindingTypeNotOffered(String)
    /// The "y" flag (client can bind but saw no -PLUS) while -PLUS was offered: a possible downgrade.
    case bindingFlagDowngrade
    /// client-final carried other channel-binding data than this connection's (a man in the middle, or a client bug).
    case bindingDataMismatch

    /// True when the refusal came before any password was checked: no guess was made, so the
    /// attempt is no reason to slow the account down or end the stream.
    public var precedesPasswordCheck: Bool {
        switch self {
        case .bindingTypeNotOffered, .bindingFlagDowngrade: true
        case .bindingDataMismatch: false
        }
    }
}
