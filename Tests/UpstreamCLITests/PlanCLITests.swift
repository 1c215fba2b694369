import Foundation
import Testing
import UpstreamTesting

/// `upstream interventions` and `upstream plan` through the binary, on a CSV of scores and features.
@Suite("upstream plan and interventions, through the binary")
struct PlanCLITests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "upstream-plan-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()
    static let catalogue = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("catalogue/interventions.yaml").path

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// 400 young people aged 12-17: every 4th flagged as gang-related, every 5th suspended, every 7th arrested.
    func scores() throws -> String {
        var csv = "person,score,age,sex,ethnicity,deprivation_decile,police_gang_flag,co_offenders_serious_violence,police_weapon_suspect_5y,"
            + "co_offenders_5y,police_suspect_12m,police_custody_12m,police_cse_victim,police_violence_victim_5y,ace_sexual_abuse,"
            + "school_suspensions_12m,school_permanent_exclusion,school_alternative_provision\n"
        for i in 0..<400 {
            let score = 0.01 + Double(i % 50) / 100
            csv += "YP-\(i),\(score),\(12 + i % 6),\(i % 2 == 0 ? "F" : "M"),\(["White", "Black", "Asian", "Mixed"][i % 4]),\(1 + i % 10),"
            csv += "\(i % 4 == 0 ? 1 : 0),0,0,\(i % 9 == 0 ? 2 : 0),\(i % 11 == 0 ? 2 : 0),\(i % 7 == 0 ? 1 : 0),0,\(i % 13 == 0 ? 2 : 0),0,"
            csv += "\(i % 5 == 0 ? 1 : 0),0,\(i == 3 ? "" : "0")\n"
        }
        let path = dir + "/scores.csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("interventions lists the catalogue with its gaps, and names the entry and key of a bad edit")
    func interventions() throws {
        let r = try UpstreamBinary.run(["interventions", "--catalogue", Self.catalogue])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("9 programmes, 5 with every figure a plan needs"))
        #expect(r.out.contains("One serious violence offence: £22,782.16"))  // 2024 prices (catalogue/gdp_deflators.csv)
        #expect(r.out.contains("- family-therapy") && r.out.contains("gap: cost: no UK cost"))
        let j = try UpstreamBinary.run(["interventions", "--catalogue", Self.catalogue, "--json"])
        let programmes = try #require(try json(j.out)["programmes"] as? [[String: Any]])
        #expect(programmes.count == 9)
        let bad = try String(contentsOfFile: Self.catalogue, encoding: .utf8)
            .replacingOccurrences(of: "feature: police_custody_12m", with: "feature: police_custody_12months")
        try bad.write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let e = try UpstreamBinary.run(["interventions", "--catalogue", dir + "/bad.yaml"])
        #expect(e.status != 0)
        #expect(e.err.contains("catalogue entry 'pre-court-diversion' key needs[0].feature: 'police_custody_12months' is not a risk feature"), "\(e.err)")
    }

    @Test("plan --scores: offers within budget and places, business case, pseudonymised CSV, JSON, and the review queue")
    func planFromScores() throws {
        let csv = try scores()
        let out = dir + "/plan"
        let r = try UpstreamBinary.run(["plan", "--scores", csv, "--budget", "150k", "--catalogue", Self.catalogue, "--out", out,
                                        "--draws", "200", "--json", "--user", "tester"])
        #expect(r.status == 0, "\(r.err)")
        let plan = try json(r.out)
        let offers = try #require(plan["offers"] as? [[String: Any]])
        let totals = try #require(plan["totals"] as? [String: Any])
        let cost = try #require((totals["cost"] as? [String: Any])?["pence"] as? Int)
        #expect(cost <= 15_000_000 && !offers.isEmpty)
        #expect(Set(offers.compactMap { $0["person"] as? String }).count == offers.count)
        for o in offers { #expect(!((o["reasons"] as? [String]) ?? []).isEmpty) }
        let programmes = try #require(plan["programmes"] as? [[String: Any]])
        for p in programmes { #expect((p["offers"] as? Int ?? 0) <= (p["places"] as? Int ?? 0)) }
        let solver = try #require(plan["solver"] as? [String: Any])
        #expect((solver["optimalityGap"] as? Double ?? -1) >= 0)
        #expect((plan["curve"] as? [Any])?.isEmpty == false)
        let html = try String(contentsOfFile: out + "/business-case.html", encoding: .utf8)
        #expect(html.contains("Offers, not decisions") && html.contains("Sensitivity (tornado)") && html.contains("Harm averted against budget"))
        #expect(!html.contains("http://") || !html.contains("<script"))
        let offersCSV = try String(contentsOfFile: out + "/offers.csv", encoding: .utf8)
        #expect(offersCSV.hasPrefix("offer,person,programme,") && offersCSV.split(separator: "\n").count == offers.count + 1)

        // The queue, in the store the plan keeps beside its outputs: every offer pending; a decision needs a reason
        // and goes to the audit log. The retired --state folder is refused, naming the store to give instead.
        let offersStore = out + "/plan-audit.db"
        let retired = try UpstreamBinary.run(["plan", "review", "--state", out, "--json"])
        #expect(retired.status != 0 && retired.err.contains("--state is retired: give --store \(offersStore)"), "\(retired.err)")
        let list = try UpstreamBinary.run(["plan", "review", "--store", offersStore, "--json"])
        let pending = try #require(try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [[String: Any]])
        #expect(pending.count == offers.count)
        let id = try #require(pending.first?["id"] as? String)
        let noReason = try UpstreamBinary.run(["plan", "review", "--store", offersStore, "--decide", id, "--decision", "offer", "--reason", "  "])
        #expect(noReason.status != 0 && noReason.err.contains("--reason"))
        let ok = try UpstreamBinary.run(["plan", "review", "--store", offersStore, "--decide", id, "--decision", "offer", "--reason", "family agreed", "--user", "sam"])
        #expect(ok.status == 0, "\(ok.err)")
        let again = try UpstreamBinary.run(["plan", "review", "--store", offersStore, "--decide", id, "--decision", "decline", "--reason", "x"])
        #expect(again.status != 0 && again.err.contains("already decided"))
        // With no store, the plan keeps its own store for the one sealed audit trail.
        let trail = try UpstreamBinary.run(["audit", "list", "--store", out + "/plan-audit.db", "--json"])
        #expect(trail.status == 0, "\(trail.err)")
        #expect(trail.out.contains("plan-make") && trail.out.contains("plan-offer-offer") && trail.out.contains("family agreed"))
        let verified = try UpstreamBinary.run(["audit", "verify", "--store", out + "/plan-audit.db"])
        #expect(verified.status == 0, "\(verified.out)\(verified.err)")
    }

    @Test("bad inputs get a message that says what to fix")
    func badInputs() throws {
        let csv = try scores()
        let noBudget = try UpstreamBinary.run(["plan", "--scores", csv, "--budget", "lots", "--catalogue", Self.catalogue])
        #expect(noBudget.status != 0 && noBudget.err.contains("--budget lots is not an amount"))
        let both = try UpstreamBinary.run(["plan", "--budget", "1m", "--catalogue", Self.catalogue])
        #expect(both.status != 0 && both.err.contains("--store STORE --as-of DATE"))
        try "person,score\nYP-1,1.7\n".write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        let badScore = try UpstreamBinary.run(["plan", "--scores", dir + "/bad.csv", "--budget", "1m", "--catalogue", Self.catalogue, "--out", dir + "/x"])
        #expect(badScore.status != 0 && badScore.err.contains("line 2, column score"))
    }

    @Test("evaluate estimates each programme's effect from later outcomes")
    func evaluate() throws {
        // Mentoring: 100 treated at risk 0.2 with 16 offences (E 20); 400 untreated at 0.1 with 40 (E 40): effect 20%.
        var csv = "person,programme,score,outcome\n"
        for i in 0..<100 { csv += "T\(i),mentoring,0.2,\(i < 16 ? 1 : 0)\n" }
        for i in 0..<400 { csv += "U\(i),,0.1,\(i < 40 ? 1 : 0)\n" }
        try csv.write(toFile: dir + "/outcomes.csv", atomically: true, encoding: .utf8)
        let r = try UpstreamBinary.run(["plan", "evaluate", "--outcomes", dir + "/outcomes.csv", "--catalogue", Self.catalogue, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]])
        let m = try #require(list.first)
        #expect(m["programme"] as? String == "mentoring")
        #expect(abs((m["effect"] as? Double ?? 0) - 0.2) < 1e-9)
        #expect(m["verdict"] as? String == "consistent with the catalogue")
    }
}

/// `upstream plan --store` on a linked synthetic city with a trained risk model: the whole path a VRU would use.
@Suite("upstream plan on a linked city, through the binary", .serialized)
struct PlanStoreCLITests {
    static let dir = NSTemporaryDirectory() + "upstream-plan-store-\(getpid())"
    static let catalogue = PlanCLITests.catalogue
    /// A 4,000-person city with serious violence made more common (so a small city has outcomes to train on),
    /// ingested, linked and with a risk model trained; returns the last test date.
    static let setup: (status: Int32, err: String, asOf: String) = {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = dir + "/stress.yaml"
        try? "services:\n  seriousViolenceBy18: 0.08\n".write(toFile: config, atomically: true, encoding: .utf8)
        for args in [["synth", "--people", "4000", "--seed", "5", "--config", config, "--out", dir + "/city"],
                     ["ingest", "--synth", dir + "/city", "--store", dir + "/city.db"],
                     ["link", "--store", dir + "/city.db"],
                     ["risk", "train", "--store", dir + "/city.db", "--postcodes", dir + "/city/reference/postcodes.csv", "--json"]] {
            guard let r = try? UpstreamBinary.run(args), r.status == 0 else { return (1, "failed: \(args.joined(separator: " "))", "") }
            if args.first == "risk",
               let out = try? JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any],
               let period = (out["card"] as? [String: Any])?["period"] as? String,
               let last = period.split(separator: " ").last {
                return (0, "", String(last.filter { $0.isNumber || $0 == "-" }))
            }
        }
        return (1, "risk train printed no period", "")
    }()

    @Test("plan --store --as-of: scores with the trained model, plans within budget, queues offers, audits, measures calibration")
    func planFromStore() throws {
        #expect(Self.setup.status == 0, "\(Self.setup.err)")
        let store = Self.dir + "/city.db"
        let r = try UpstreamBinary.run(["plan", "--store", store, "--as-of", Self.setup.asOf, "--budget", "100k", "--catalogue", Self.catalogue,
                                        "--draws", "200", "--time-limit", "20", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(plan["asOf"] as? String == Self.setup.asOf)
        #expect((plan["candidates"] as? Int ?? 0) > 100)
        #expect(plan["horizonYears"] as? Double == 2)
        let offers = try #require(plan["offers"] as? [[String: Any]])
        #expect(!offers.isEmpty)
        for o in offers { #expect((o["person"] as? String)?.hasPrefix("YP-") == true) }
        let assumptions = try #require(plan["assumptions"] as? [[String: Any]])
        let calibration = try #require(assumptions.first { $0["topic"] as? String == "Calibration" })
        #expect((calibration["source"] as? String)?.contains("on its test rows") == true, "\(calibration)")
        #expect(FileManager.default.fileExists(atPath: store + ".plan/business-case.html"))
        let queue = try UpstreamBinary.run(["plan", "review", "--store", store, "--json"])
        let pending = try #require(try JSONSerialization.jsonObject(with: Data(queue.out.utf8)) as? [[String: Any]])
        #expect(pending.count == offers.count)
        let verify = try UpstreamBinary.run(["audit", "verify", "--store", store])
        #expect(verify.status == 0 && verify.out.contains("intact"), "\(verify.out)\(verify.err)")
        let audit = try UpstreamBinary.run(["audit", "list", "--store", store, "--json"])
        #expect(audit.out.contains("plan-make") && audit.out.contains("plan-review-list"), "\(audit.err)")
    }
}
