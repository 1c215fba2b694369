import Testing
@testable import UpstreamSynth

@Suite("Synth configuration")
struct ConfigTests {
    @Test("the printed default configuration parses back to the defaults")
    func defaultsRoundTrip() throws {
        #expect(try SynthConfig.load(overrides: SynthConfig.defaultYAML) == SynthConfig.defaults)
    }

    @Test("an override changes only the keys it names")
    func override() throws {
        let c = try SynthConfig.load(overrides: "people: 1234\nnoise:\n  typo: 0.1\n")
        #expect(c.people == 1234)
        #expect(c.noise.typo == 0.1)
        #expect(c.noise.nickname == SynthConfig.defaults.noise.nickname)
    }

    @Test("unknown keys and out-of-range values are errors that name the key",
          arguments: [
            ("peeple: 10", "peeple"), ("noise:\n  typoo: 0.1", "noise.typoo"), ("noise:\n  typo: 1.5", "noise.typo"),
            ("people: 3", "people"), ("aces:\n  itemPrevalence:\n    made_up: 0.1", "aces.itemPrevalence.made_up"),
          ])
    func invalid(_ yaml: String, _ key: String) throws {
        do {
            _ = try SynthConfig.load(overrides: yaml)
            Issue.record("accepted \(yaml)")
        } catch let e as SynthConfig.Invalid {
            #expect(e.description.contains(key), "\(e.description)")
        }
    }
}
