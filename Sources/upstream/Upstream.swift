import ArgumentParser

@main
struct Upstream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upstream",
        abstract: "Join up agencies' records to find young people on a path to serious violence early.",
        discussion: ExitStatus.table,
        subcommands: [Demo.self, Synth.self, Ingest.self, Quarantine.self, Retention.self, Link.self, Review.self, ChronologyCommand.self, Risk.self, Assess.self, Audit.self, PlanCommand.self, InterventionsCommand.self, Serve.self]
    )
}
