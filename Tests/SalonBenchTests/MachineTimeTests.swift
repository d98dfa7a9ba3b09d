import Testing
@testable import salon_bench

@Suite("Steal comes from the cpu line of /proc/stat")
struct MachineTimeTests {
    static func stat(steal: Int, idle: Int) -> String {
        // user nice system idle iowait irq softirq steal guest guest_nice
        "cpu  100 0 50 \(idle) 5 0 5 \(steal) 0 0\ncpu0 50 0 25 \(idle / 2) 2 0 2 \(steal / 2) 0 0\nintr 12345\n"
    }

    @Test func stealIsAShareOfAllTimeBetweenTwoSamples() throws {
        let before = try #require(ServerProcess.MachineTime(procStat: Self.stat(steal: 10, idle: 830)))
        #expect(before.total == 1000)
        #expect(before.steal == 10)
        // 200 more ticks, 50 of them stolen.
        let after = try #require(ServerProcess.MachineTime(procStat: Self.stat(steal: 60, idle: 980)))
        #expect(after.stealPercent(since: before) == 25)
        #expect(before.stealPercent(since: before) == nil)
    }

    @Test func incompleteTextGivesNothing() {
        #expect(ServerProcess.MachineTime(procStat: "") == nil)
        #expect(ServerProcess.MachineTime(procStat: "cpu0 1 2 3 4 5 6 7 8\n") == nil)
        #expect(ServerProcess.MachineTime(procStat: "cpu  1 2 3 4 5 6 7\n") == nil)
    }
}
