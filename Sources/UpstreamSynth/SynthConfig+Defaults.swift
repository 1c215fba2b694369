extension SynthConfig {
    /// The default configuration, with the source of every published figure.
    /// Figures marked "assumption" are not in `reference/`; they are model choices, documented
    /// in docs/synthetic-city.md, and never lowered to flatter the linkage.
    public static let defaultYAML = """
    # Upstream synthetic city: default configuration.
    # Override any subset of keys with `upstream synth --config FILE`.
    people: 50000            # people in the city (alive at the start or born during the window)
    seed: 1                  # same seed and config => byte-identical output
    startYear: 2010          # first year of the observation window (1 January)
    years: 15                # length of the window in years
    burnInYears: 10          # years of life simulated before the window (nothing written), so people arrive with history
    peoplePerArea: 300       # people per small area (output-area-like: 1,000,000 people => ~3,300 areas)

    population:
      shareUnder16: 0.228    # West Midlands, 2011 Census (reference/service_rates.csv)
      loneParentShare: 0.072 # lone-parent households with dependent children, 2011 Census (service_rates.csv)
      ethnicity:             # W: White British 66% (2011 Census); A: Asian 18.8%; B: Black 164,069 of 2,736,460 = 6.0%
        W: 0.660             # (service_rates.csv). The remaining 9.2% (Mixed, White other, Other) is not split in
        A: 0.188             # reference/: assumption, split evenly between M and O.
        B: 0.060
        M: 0.046
        O: 0.046
      twinRate: 0.016        # assumption: share of births that are twins
      moveRatePerYear: 0.08  # assumption: households moving home each year
      separationRatePerYear: 0.02   # assumption: couples with children separating each year (raised by domestic abuse)
      newPartnerRatePerYear: 0.08   # assumption: lone parents taking a new partner (a step-parent) each year

    aces:
      # Share of children experiencing each ACE by 18. reference/ace_evidence.csv holds only the totals
      # (Wales 2015: 47% one or more, 14% four or more); the split across items is an assumption, scaled so
      # that the totals match (checked by the tests).
      itemPrevalence:
        emotional_abuse: 0.23
        physical_abuse: 0.17
        sexual_abuse: 0.10
        emotional_neglect: 0.10
        physical_neglect: 0.06
        domestic_violence: 0.16
        household_substance_misuse: 0.14
        household_mental_illness: 0.14
        parental_separation: 0.20
        household_incarceration: 0.05
      householdClustering: 2.3   # s.d. of household latent adversity (log-odds); tuned to the 47% / 14% totals
      deprivationEffect: 0.5     # shift of latent adversity between least and most deprived decile halves
      targetAtLeastOne: 0.47     # Public Health Wales (2015), reference/ace_evidence.csv
      targetFourOrMore: 0.14     # Public Health Wales (2015), reference/ace_evidence.csv

    services:
      cscReferralsPer10kChildren: 552.5       # DfE Characteristics of children in need 2017-18 (service_rates.csv)
      contactsPerReferral: 1.8                # assumption: contacts to the front door per referral
      cpPlanStartsPer10kChildren: 43.7        # CP plans at 31 March 2019 per 10,000 (stock used as yearly starts)
      cpCategoryShares:                       # initial category of CP plans, 31 March 2019 (service_rates.csv)
        NEGLECT: 0.485
        EMOTIONAL: 0.353
        PHYSICAL: 0.080
        SEXUAL: 0.043
        MULTIPLE: 0.040
      lookedAfterStartsPer10kChildren: 22     # assumption (stock of 65 per 10,000 at 31 March 2019, service_rates.csv,
                                              # with an average stay of about three years)
      suspensionRatePerPupilYear: 0.0536      # fixed-period exclusion rate 2018-19 (service_rates.csv)
      permanentExclusionRatePerPupilYear: 0.0010  # permanent exclusion rate 2018-19 (service_rates.csv)
      persistentAbsenceShare: 0.112           # persistent absence 2017-18 (service_rates.csv)
      edViolenceInjuryPer1000: 3.18           # violence-related ED injury rate 2018 (service_rates.csv)
      missingEpisodesPerLookedAfterChildYear: 0.6  # assumption, from 11,530 missing LAC of ~100,000 with 4.7 incidents each
      acePerItemLogHazard: 0.30               # assumption: log-hazard per ACE for school, care and police contacts
      seriousViolenceBy18: 0.011              # DfE/MoJ linked analysis: 1.1% of a pupil cohort (service_rates.csv)
      seriousViolenceOddsRatio4Plus: 7.71     # Bellis et al. (2014) BMC Medicine 12:72, AOR 4+ vs 0 ACEs (ace_evidence.csv)
      substanceMisuseTreatmentShareOfParents: 0.35  # assumption: share of household substance misuse seen by treatment
      mentalHealthTreatmentShareOfParents: 0.45     # assumption: share of household mental illness seen by services

    crime:
      volumeScale: 1.0                  # 1 = West Midlands 2017/18: 233,393 crimes / 2,736,460 people (reference/)
      suspectIdentifiedShare: 0.35      # assumption: share of crimes with a named suspect
      domesticAbuseShareOfViolence: 0.33  # assumption (DA-flagged crime 8-12% of all crime, violence_typologies README)
      hateShareOfPublicOrder: 0.12      # assumption
      knifeShareOfSeriousViolence: 0.5  # assumption
      hotspotShareOfAreas: 0.03         # assumption: share of areas that are hotspots (city centre, night-time economy)
      hotspotMultiplier: 6.0            # assumption: crime rate in a hotspot relative to an average area
      summerPeak: 0.15                  # assumption: +/- seasonal swing in violence (peak July)
      fgmPer100k: 0.5                   # assumption: FGM is not in the reference table; recorded FGM is very rare
      cseShareOfChildSexualOffences: 0.2  # assumption
      gangShareOfYouthViolence: 0.15    # assumption: local gang marker on youth serious violence

    noise:
      # Chance that one record shows each error. Defaults follow reference/linkage_realism.md in kind; the rates are
      # assumptions sized so that well over one record in ten differs from the true identity (checked by the tests).
      typo: 0.03
      phoneticVariant: 0.02
      nickname: 0.03
      swappedNames: 0.005
      surnameChange: 0.5          # chance that a record after a surname change uses the new name (rest: old)
      dobDayMonthSwap: 0.005
      dobYearOff: 0.005
      dobDigitOff: 0.01
      placeholderDOB: 0.004
      missingDOB: 0.01
      missingPostcode: 0.04
      staleAddressAfterMove: 0.25   # chance an agency still has the old address within two years of a move (40% of
                                    # movers not re-registered with a GP six months on, Millett 2005 via [S4])
      middleNameDropped: 0.3
      missingNHSNumber: 0.12
      # Wrong identifiers (assumptions: reference/linkage_realism.md has no published rate for these; HES against
      # PDS disagreed on sex or date of birth in 0.11% of records, Harron et al. 2017 [S2], which bounds sex below).
      nhsMistyped: 0.004          # one digit wrong or two swapped: the modulus-11 check fails
      nhsOtherPerson: 0.002       # a parent's, sibling's or partner's valid number (e.g. a child seen under the mother's)
      upnMistyped: 0.002
      upnSibling: 0.001
      pncMistyped: 0.003
      sexMisrecorded: 0.0008      # x agency multiplier: health 0.08%, under the 0.11% sex-or-DOB bound of [S2]
      ethnicityNotStated: 0.04    # NOBT / REFU / NS
      ethnicityInconsistent: 0.02 # a different group from the person's own (half within the same five-way group)
      officerMixedAsOther: 0.5    # officer-defined ethnicity of a Mixed person recorded as W, B or A
      # Address formatting (assumptions; kinds from reference/linkage_realism.md a3 and practice).
      addressAbbreviated: 0.35    # Road -> Rd, Street -> St …
      addressFlatDropped: 0.2     # a flat's number left out
      addressTypo: 0.01
      addressLocalityMissing: 0.3
      addressTownMissing: 0.1
      agencyMultiplier:
        police: 1.5
        school: 0.4
        health: 1.0
        social_care: 0.8
        youth_justice: 0.8
        probation: 0.8
        prison: 0.7
        substance_misuse: 1.2
        mental_health: 0.8
    """
}
