#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A TCP port on 127.0.0.1 that nothing listens on now, for addresses a test server must know
/// before it binds them (a cluster node's, advertised first; a listener's that stops and binds
/// again). Below the kernel's ephemeral range: no outgoing connection takes it as its local port
/// meanwhile (nor connects to itself on it, as one dialling a port in that range while nothing
/// listens there can). Never one it handed out before in this process: tests run side by side,
/// and a cluster test takes its nodes' ports before any of them binds.
public func freeLoopbackPort() -> Int {
    let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
    let low = range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    let floor = 10_000
    for _ in 0..<100 {
        let candidate = Int.random(in: floor..<max(low, floor + 1_000))
        guard handedOut.withLock({ $0.insert(candidate).inserted }) else { continue }
        if let port = bindLoopback(port: candidate) { return port }
    }
    preconditionFailure("no free loopback port below the ephemeral range")
}

private let handedOut = Mutex<Set<Int>>([])

/// Binds a socket to 127.0.0.1:`port` and closes it; the port, or nil when taken.
private func bindLoopback(port: Int) -> Int? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
}
