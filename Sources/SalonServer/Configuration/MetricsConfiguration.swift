/// `/metrics` on the HTTP server (`metrics.*` in salon.yaml).
public struct MetricsConfiguration: Sendable {
    /// The peers that may read `/metrics`; others get 403. Loopback by default.
    public var allow: AddressAllowList = .loopback

    public init() {}
}
