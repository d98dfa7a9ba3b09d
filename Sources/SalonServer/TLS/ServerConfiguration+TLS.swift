import SalonSecurity

extension ServerConfiguration {
    /// The session tickets the server's TLS contexts issue, from `tls.session_tickets` and
    /// `tls.ticket_key_rotation`.
    var sessionTickets: TLSSessionTickets {
        tlsSessionTickets ? TLSSessionTickets(enabled: true, keyRotationSeconds: tlsTicketKeyRotation) : .disabled
    }
}
