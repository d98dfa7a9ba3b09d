import ArgumentParser

@main
struct SalonBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salon-bench",
        abstract: "Load scenarios against any XMPP server over loopback (Salon, Prosody, ejabberd).",
        discussion: "Every scenario prints a human line and a machine-readable 'RESULT key=value …' line.",
        subcommands: [FanoutScenario.self, JoinScenario.self, LoginScenario.self, IdleScenario.self, UploadScenario.self,
                      RegisterScenario.self, SalonAccountsCommand.self, ArchiveScenario.self, ResumeScenario.self,
                      MAMCountScenario.self, FailoverScenario.self])
}
