import NIOCore

/// The fan-out's groupchat message, serialised once: only the 20-digit send time in its body
/// changes from one message to the next ("SBT" + digits, found again by `StampScanner`).
struct StampedMessage {
    static let marker: [UInt8] = Array("SBT".utf8)
    static let digits = 20

    private let prefix: [UInt8]
    private let suffix: [UInt8]

    init(room: String) {
        prefix = Array("<message to='\(room)' type='groupchat' id='fanout'><body>".utf8) + Self.marker
        suffix = Array(" Quarterly numbers are in; review before the desk meeting, please.</body></message>".utf8)
    }

    var count: Int { prefix.count + Self.digits + suffix.count }

    /// Writes the message stamped with `nanoseconds` into `buffer`.
    func write(stampedAt nanoseconds: UInt64, into buffer: inout ByteBuffer) {
        buffer.writeBytes(prefix)
        var value = nanoseconds
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.digits) { slot in
            for position in stride(from: Self.digits - 1, through: 0, by: -1) {
                slot[position] = UInt8(truncatingIfNeeded: value % 10) + UInt8(ascii: "0")
                value /= 10
            }
            return Self.digits
        }
        buffer.writeBytes(suffix)
    }
}
