import Testing
import UpstreamModel
import UpstreamRiskFeatures

/// The risk features as a typed column set: every column has exactly one `RiskFeature`, and the typed cases give
/// the same names and columns the model files (which store names) have always used.
@Suite("Risk features: a typed column set")
struct FeatureColumnTests {
    @Test("every column has one typed feature, and its name leads back to it")
    func roundTrip() {
        let names = RiskFeatures.names
        #expect(Set(names).count == names.count)
        for (i, name) in names.enumerated() {
            let feature = RiskFeatures.feature(named: name)
            #expect(feature?.column == i, "\(name)")
            #expect(feature?.name == name)
            #expect(feature?.definition == RiskFeatures.all[i])
        }
        #expect(RiskFeatures.feature(named: "school_suspension_12m") == nil)  // a misspelling is not a feature
    }

    @Test("the columns are where the model files expect them (hand-counted from the feature list)")
    func columns() {
        // age, deprivation, then 12 counted kinds × (12 months, 5 years), then the rest in order, then the ACEs.
        #expect(RiskFeature.age.column == 0)
        #expect(RiskFeature.deprivationDecile.column == 1)
        #expect(RiskFeature.recent(.policeVictim).column == 2)
        #expect(RiskFeature.recent(.policeVictim).name == "police_victim_12m")
        #expect(RiskFeature.lookback(.policeVictim).column == 3)
        #expect(RiskFeature.lookback(.youthJustice).name == "youth_justice_5y")
        #expect(RiskFeature.lookback(.youthJustice).column == 25)
        #expect(RiskFeature.policeViolenceVictim.column == 26)
        #expect(RiskFeature.policeViolenceVictim.name == "police_violence_victim_5y")
        #expect(RiskFeature.yearsSinceFirst(.emergencyDepartment).name == "years_since_first_ed")
        #expect(RiskFeature.aceCount.name == "ace_count")
        #expect(RiskFeature.aceCount.column == 26 + 29 - 1)
        #expect(RiskFeature.ace(ACE.allCases[0]).column == RiskFeature.aceCount.column + 1)
        #expect(RiskFeature.ace(ACE.allCases.last!).column == RiskFeatures.all.count - 1)
        #expect(RiskFeatures.all.count == 2 + 24 + 29 + ACE.allCases.count)
        #expect(RiskFeature.schoolAbsenceRate.definition.kind == .level)
        #expect(RiskFeature.recent(.schoolSuspensions).definition.kind == .count(months: 12))
    }
}
