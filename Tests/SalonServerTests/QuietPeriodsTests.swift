import NIOCore
@testable import SalonServer
import Testing

/// One read-idle timer serves the parser release and the idle timeout: the periods must divide
/// the idle timeout so the ping and the close come when they always did.
@Suite("Quiet periods of an idle stream")
struct QuietPeriodsTests {
    @Test func thePeriodsDivideTheIdleTimeout() {
        var quiet = QuietPeriods(idleTimeout: 300, parserRelease: 30)
        #expect(quiet.releasesParser)
        #expect(quiet.period == .seconds(30))
        let idle = (1 ... 20).map { _ in quiet.periodElapsed() }
        // The owner hears of it after one idle timeout (a ping) and after two (the close).
        #expect(idle.enumerated().filter(\.element).map { $0.offset + 1 } == [10, 20])
    }

    @Test func aReadStartsTheCountAgainAndSaysWhetherItEndedASilence() {
        var quiet = QuietPeriods(idleTimeout: 10, parserRelease: 3)
        #expect(quiet.perIdleTimeout == 4)
        #expect(quiet.period == .milliseconds(2_500))
        let firstRead = quiet.read()
        #expect(!firstRead)
        let early = (0 ..< 3).map { _ in quiet.periodElapsed() }
        let afterSilence = quiet.read()
        let againAtOnce = quiet.read()
        #expect(early == [false, false, false])
        #expect(afterSilence)
        #expect(!againAtOnce)
        // The three periods before the read no longer count: the fourth after it is the timeout.
        let counted = (0 ..< 4).map { _ in quiet.periodElapsed() }
        #expect(counted == [false, false, false, true])
    }

    @Test(arguments: [0.0, 300, 600])
    func withoutARelease(parserRelease: Double) {
        var quiet = QuietPeriods(idleTimeout: 300, parserRelease: parserRelease)
        #expect(!quiet.releasesParser)
        #expect(quiet.period == .seconds(300))
        let timedOut = quiet.periodElapsed()
        #expect(timedOut)
    }
}
