/// A target's invariant: like `precondition`, but the message is printed in optimised builds
/// too (libFuzzer's binaries are release builds), so a finding says which invariant broke.
func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = "invariant broken",
               file: StaticString = #fileID, line: UInt = #line) {
    if !condition() {
        fatalError(message(), file: file, line: line)
    }
}
