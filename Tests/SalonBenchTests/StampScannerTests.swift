import NIOCore
import Testing
@testable import salon_bench

@Suite("The fan-out finds its send stamps in raw input")
struct StampScannerTests {
    /// Two stamped messages as a server might relay them, with a decoy that is no stamp.
    static func relayed() -> [UInt8] {
        let message = StampedMessage(room: "bench@chat.localhost")
        var buffer = ByteBufferAllocator().buffer(capacity: 512)
        buffer.writeString("<presence from='bench@chat.localhost/SBT'/><message from='bench@chat.localhost/u1' to='x'>")
        message.write(stampedAt: 123_456_789, into: &buffer)
        buffer.writeString("<message>SBT12 not a stamp</message>")
        message.write(stampedAt: 18_446_744_073_709_551_615, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    static func scan(_ bytes: [UInt8], splitAt cuts: [Int]) -> [UInt64] {
        var scanner = StampScanner()
        var found: [UInt64] = []
        var start = 0
        for end in cuts + [bytes.count] {
            bytes[start..<end].withUnsafeBytes { scanner.scan($0) { found.append($0) } }
            start = end
        }
        return found
    }

    @Test("Whole input")
    func whole() {
        #expect(Self.scan(Self.relayed(), splitAt: []) == [123_456_789, 18_446_744_073_709_551_615])
    }

    @Test("Split at every byte boundary, the same stamps come out")
    func everySplit() {
        let bytes = Self.relayed()
        for cut in 1..<bytes.count {
            #expect(Self.scan(bytes, splitAt: [cut]) == [123_456_789, 18_446_744_073_709_551_615], "cut at \(cut)")
        }
    }

    @Test("One byte at a time")
    func byteByByte() {
        let bytes = Self.relayed()
        #expect(Self.scan(bytes, splitAt: Array(1..<bytes.count)) == [123_456_789, 18_446_744_073_709_551_615])
    }
}
