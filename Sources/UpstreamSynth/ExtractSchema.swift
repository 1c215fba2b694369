import UpstreamModel

/// The documented shape of one agency extract that the synthetic city writes:
/// its file name, the agency, and each column with what it holds.
///
/// These are written into `manifest.json`, `docs/synthetic-city.md` and checked by tests,
/// so an extract and its documentation can never drift apart.
public struct ExtractSchema: Sendable, Codable, Hashable {
    /// A column of an extract and what it holds.
    public struct Column: Sendable, Codable, Hashable {
        public var name: String
        public var meaning: String
    }

    /// The file name without extension, used as `source` in `truth/records.csv`.
    public var name: String
    public var agency: Agency
    /// The column that identifies a row, used as `record_id` in `truth/records.csv`.
    public var idColumn: String
    /// Whether each row is about one person (and so appears in the truth); crime-level rows are not.
    public var personLevel: Bool
    public var delimiter: String
    public var description: String
    public var columns: [Column]

    public var header: [String] { columns.map(\.name) }
}

extension ExtractSchema {
    static func cols(_ pairs: [(String, String)]) -> [Column] { pairs.map { Column(name: $0.0, meaning: $0.1) } }

    /// Police crimes, one row per recorded crime (no people; see `policeCrimePeople`).
    public static let policeCrimes = ExtractSchema(
        name: "police_crimes", agency: .police, idColumn: "CrimeRef", personLevel: false, delimiter: ",",
        description: "Recorded crimes, one row per crime, from the force's crime recording system.",
        columns: cols([
            ("CrimeRef", "crime reference, e.g. 20/012345/17"),
            ("HOCode", "Home Office offence classification code, e.g. 8N, 10D"),
            ("OffenceDescription", "Home Office offence description"),
            ("CommittedDateTime", "date and time committed, DD/MM/YYYY HH:MM"),
            ("RecordedDate", "date the crime was recorded (reported), DD/MM/YYYY"),
            ("LSOA", "lower layer super output area (E01…) where it happened"),
            ("Easting", "grid easting, metres"),
            ("Northing", "grid northing, metres"),
            ("Flags", "crime flags separated by |: DA, HATE, KNIFE, FIREARM, CSE, HBA, GANG, NTE"),
            ("HateStrand", "race, religion, sexual_orientation, disability or transgender, for hate crimes"),
            ("VictimCount", "number of victims recorded"),
            ("SuspectCount", "number of suspects or offenders recorded"),
        ]))

    /// Police nominals: one row per person linked to a crime, with the crime's details repeated.
    public static let policeCrimePeople = ExtractSchema(
        name: "police_crime_people", agency: .police, idColumn: "NominalLinkID", personLevel: true, delimiter: ",",
        description: "People linked to crimes (victims, suspects, offenders, witnesses), one row per person per crime.",
        columns: cols([
            ("NominalLinkID", "id of the person-crime link"),
            ("CrimeRef", "crime reference (joins police_crimes)"),
            ("Involvement", "VICTIM, SUSPECT, OFFENDER or WITNESS"),
            ("Surname", "surname, upper case"),
            ("Forenames", "forename and any middle names, upper case, space separated"),
            ("DOB", "date of birth, DD/MM/YYYY"),
            ("Sex", "M or F"),
            ("PNCID", "Police National Computer id (people arrested at some point), e.g. 14/123456A"),
            ("AddressLine1", "flat or house name, when there is one"),
            ("AddressLine2", "house number and street (street types sometimes abbreviated: Rd, St, Ave)"),
            ("AddressLine3", "locality, often left out"),
            ("AddressLine4", "town, sometimes left out"),
            ("Postcode", "home postcode as recorded"),
            ("EthnicityCode", "officer-defined ethnicity: W, M, A, B, O"),
            ("CommittedDate", "date committed, DD/MM/YYYY"),
            ("RecordedDate", "date this person was linked to the crime on the system, DD/MM/YYYY"),
            ("HOCode", "Home Office offence code"),
            ("Flags", "crime flags separated by |"),
            ("LSOA", "lower layer super output area (E01…) where it happened"),
        ]))

    /// Police incidents (non-crime): domestic incidents, concern for welfare, anti-social behaviour.
    public static let policeIncidents = ExtractSchema(
        name: "police_incidents", agency: .police, idColumn: "IncidentPersonID", personLevel: true, delimiter: ",",
        description: "Non-crime incidents with the people recorded at them.",
        columns: cols([
            ("IncidentPersonID", "id of the person-incident link"),
            ("IncidentNo", "incident log number"),
            ("OpenedAt", "date and time opened, YYYY-MM-DD HH:MM:SS"),
            ("Category", "DOMESTIC, CONCERN_FOR_WELFARE, ASB_PERSONAL, MENTAL_HEALTH, MISSING_FOUND"),
            ("PersonName", "full name in one field, FORENAME SURNAME, upper case"),
            ("DateOfBirth", "YYYY-MM-DD"),
            ("Gender", "M or F"),
            ("AddressLine1", "flat or house name, when there is one"),
            ("AddressLine2", "house number and street (street types sometimes abbreviated: Rd, St, Ave)"),
            ("AddressLine3", "locality, often left out"),
            ("AddressLine4", "town, sometimes left out"),
            ("Postcode", "home postcode"),
            ("Role", "SUBJECT, VICTIM, PERPETRATOR, CHILD_PRESENT, WITNESS"),
            ("LSOA", "lower layer super output area (E01…) of the incident"),
        ]))

    /// Custody records: arrests.
    public static let policeCustody = ExtractSchema(
        name: "police_custody", agency: .police, idColumn: "CustodyRecordNo", personLevel: true, delimiter: ",",
        description: "Custody records, one per arrest.",
        columns: cols([
            ("CustodyRecordNo", "custody record number"),
            ("ArrestDate", "DD/MM/YYYY"),
            ("PNCID", "Police National Computer id"),
            ("Surname", "upper case"),
            ("Forename", "upper case"),
            ("MiddleName", "upper case, often empty"),
            ("DOB", "DD/MM/YYYY"),
            ("Sex", "M or F"),
            ("AddressLine1", "flat or house name, when there is one"),
            ("AddressLine2", "house number and street (street types sometimes abbreviated: Rd, St, Ave)"),
            ("AddressLine3", "locality, often left out"),
            ("AddressLine4", "town, sometimes left out"),
            ("Postcode", "home postcode"),
            ("SelfDefinedEthnicity", "16+1 code: W1, W2, W9, M1, M2, M3, M9, A1, A2, A3, A9, B1, B2, B9, O1, O9; NS not stated"),
            ("ArrestOffenceHOCode", "Home Office code of the main offence"),
            ("CrimeRef", "crime reference, when the arrest is for a recorded crime"),
        ]))

    /// Missing person reports.
    public static let policeMissing = ExtractSchema(
        name: "police_missing", agency: .police, idColumn: "MisperReportID", personLevel: true, delimiter: ",",
        description: "Missing person reports.",
        columns: cols([
            ("MisperReportID", "report id"),
            ("ReportedDate", "DD/MM/YYYY"),
            ("FoundDate", "DD/MM/YYYY, empty while missing"),
            ("Surname", "upper case"),
            ("Forenames", "upper case"),
            ("DOB", "DD/MM/YYYY"),
            ("Sex", "M or F"),
            ("AddressLine1", "flat or house name, when there is one"),
            ("AddressLine2", "house number and street (street types sometimes abbreviated: Rd, St, Ave)"),
            ("AddressLine3", "locality, often left out"),
            ("AddressLine4", "town, sometimes left out"),
            ("HomePostcode", "home postcode"),
            ("RiskGrade", "LOW, MEDIUM, HIGH"),
            ("FromCare", "Y if missing from a care placement"),
        ]))

    /// Stop and search.
    public static let policeStopSearch = ExtractSchema(
        name: "police_stop_search", agency: .police, idColumn: "SearchID", personLevel: true, delimiter: ",",
        description: "Stop and search records.",
        columns: cols([
            ("SearchID", "search id"),
            ("SearchDateTime", "YYYY-MM-DD HH:MM"),
            ("RecordedDate", "date the search record was completed, YYYY-MM-DD"),
            ("Surname", "as given, may be empty when refused"),
            ("Forename", "as given"),
            ("DOB", "DD/MM/YYYY, may be empty"),
            ("Sex", "M or F"),
            ("SelfDefinedEthnicity", "16+1 code: W1, W2, W9, M1, M2, M3, M9, A1, A2, A3, A9, B1, B2, B9, O1, O9; NS not stated"),
            ("OfficerDefinedEthnicity", "W, M, A, B, O"),
            ("ObjectOfSearch", "DRUGS, OFFENSIVE_WEAPON, STOLEN_PROPERTY"),
            ("Outcome", "NFA, ARREST, COMMUNITY_RESOLUTION"),
            ("LSOA", "lower layer super output area (E01…) of the search"),
        ]))

    /// The school census: one row per pupil per term.
    public static let schoolCensus = ExtractSchema(
        name: "school_census", agency: .school, idColumn: "CensusRowID", personLevel: true, delimiter: ",",
        description: "Termly school census with attendance, one row per pupil per term (as in the DfE census).",
        columns: cols([
            ("CensusRowID", "row id"),
            ("UPN", "unique pupil number: check letter + 12 digits"),
            ("LegalSurname", "surname"),
            ("Forename", "forename"),
            ("MiddleNames", "middle names"),
            ("DOB", "YYYY-MM-DD"),
            ("Gender", "M or F"),
            ("Ethnicity", "DfE main ethnicity code: WBRI, WIRI, MWBC, MWBA, MWAS, MOTH, AIND, APKN, ABAN, AOTH, BCRB, BAFR, BOTH, CHNE, OOTH; NOBT not obtained"),
            ("AddressLine1", "flat or house name, when there is one"),
            ("AddressLine2", "house number and street (street types sometimes abbreviated: Rd, St, Ave)"),
            ("AddressLine3", "locality, often left out"),
            ("AddressLine4", "town, sometimes left out"),
            ("Postcode", "home postcode"),
            ("LAEstab", "school number"),
            ("Term", "e.g. 2015/16 AUT, SPR, SUM"),
            ("TermStart", "YYYY-MM-DD"),
            ("CensusDate", "day of the census return that collected this term's absence (after the term), YYYY-MM-DD"),
            ("NCYear", "national curriculum year group"),
            ("SessionsPossible", "half-day sessions possible"),
            ("SessionsAuthorisedAbsence", "authorised absence sessions"),
            ("SessionsUnauthorisedAbsence", "unauthorised absence sessions"),
            ("FSM", "eligible for free school meals: 1 or 0"),
        ]))

    /// Suspensions, permanent exclusions and moves to alternative provision.
    public static let schoolExclusions = ExtractSchema(
        name: "school_exclusions", agency: .school, idColumn: "ExclusionID", personLevel: true, delimiter: ",",
        description: "Suspensions (fixed-term exclusions), permanent exclusions and moves to alternative provision.",
        columns: cols([
            ("ExclusionID", "id"),
            ("UPN", "unique pupil number"),
            ("Surname", "surname"),
            ("Forename", "forename"),
            ("DOB", "YYYY-MM-DD"),
            ("Gender", "M or F"),
            ("Category", "SUSP (suspension), PERM (permanent exclusion), AP (placed in alternative provision)"),
            ("StartDate", "YYYY-MM-DD"),
            ("RecordedDate", "YYYY-MM-DD"),
            ("Sessions", "half-day sessions, for suspensions"),
            ("Reason", "PA (physical assault against a pupil), PD (persistent disruptive behaviour), DA (drug and alcohol), OW (offensive weapon), VA (verbal abuse)"),
        ]))

    /// Emergency department attendances.
    public static let edAttendances = ExtractSchema(
        name: "ed_attendances", agency: .health, idColumn: "AttendanceID", personLevel: true, delimiter: ",",
        description: "Emergency department attendances (ECDS-like), with injury intent and mechanism.",
        columns: cols([
            ("AttendanceID", "attendance id"),
            ("NHSNumber", "NHS number, 3-3-4 digits, modulus-11 check digit; sometimes missing"),
            ("PatientName", "Surname, Forename"),
            ("DateOfBirth", "YYYYMMDD"),
            ("SexCode", "1 male, 2 female (NHS data dictionary)"),
            ("AddressLine1", "flat or house name, when there is one"),
            ("AddressLine2", "house number and street (street types sometimes abbreviated: Rd, St, Ave)"),
            ("AddressLine3", "locality, often left out"),
            ("AddressLine4", "town, sometimes left out"),
            ("Postcode", "home postcode"),
            ("ArrivalDateTime", "YYYY-MM-DD HH:MM"),
            ("RecordedDate", "YYYY-MM-DD"),
            ("InjuryIntent", "ASSAULT, SELF_HARM, ACCIDENT, NONE"),
            ("InjuryMechanism", "SHARP_OBJECT, BLUNT_OBJECT, BODY_PART, FIREARM, FALL, OTHER"),
            ("ChiefComplaint", "short coded complaint"),
        ]))

    /// Children's social care contacts and referrals.
    public static let cscContacts = ExtractSchema(
        name: "csc_contacts", agency: .socialCare, idColumn: "ContactID", personLevel: true, delimiter: ",",
        description: "Contacts to children's social care (the front door) and whether each became a referral.",
        columns: cols([
            ("ContactID", "id"),
            ("ChildID", "the local authority's child id (stable within social care)"),
            ("Forename", "forename"),
            ("Surname", "surname"),
            ("DOB", "DD/MM/YYYY"),
            ("Gender", "Male or Female"),
            ("Ethnicity", "DfE code (as in the school census); NOBT not obtained"),
            ("AddressLine1", "flat or house name, when there is one"),
            ("AddressLine2", "house number and street (street types sometimes abbreviated: Rd, St, Ave)"),
            ("AddressLine3", "locality, often left out"),
            ("AddressLine4", "town, sometimes left out"),
            ("Postcode", "home postcode"),
            ("ContactDate", "DD/MM/YYYY"),
            ("RecordedDate", "DD/MM/YYYY"),
            ("ContactSource", "POLICE, SCHOOL, HEALTH, SELF, OTHER"),
            ("Factor", "assessment factor: 3A domestic abuse (child), 2A parent drug misuse, 4A mental health, 8B child sexual exploitation, 6A physical abuse, 22A neglect …"),
            ("Outcome", "REFERRAL or NFA"),
        ]))

    /// Children's social care episodes: assessments, plans, looked-after periods, missing episodes.
    public static let cscEpisodes = ExtractSchema(
        name: "csc_episodes", agency: .socialCare, idColumn: "EpisodeID", personLevel: true, delimiter: ",",
        description: "Assessments, child in need and child protection plans, looked-after episodes and missing episodes.",
        columns: cols([
            ("EpisodeID", "id"),
            ("ChildID", "the local authority's child id"),
            ("Forename", "forename"),
            ("Surname", "surname"),
            ("DOB", "DD/MM/YYYY"),
            ("Gender", "Male or Female"),
            ("EpisodeType", "ASSESSMENT, CIN, CP, LAC, MISSING"),
            ("StartDate", "DD/MM/YYYY"),
            ("EndDate", "DD/MM/YYYY, empty if open"),
            ("RecordedDate", "DD/MM/YYYY"),
            ("Category", "for CP plans: NEGLECT, PHYSICAL, SEXUAL, EMOTIONAL, MULTIPLE; for CIN: N1 abuse or neglect, N3 parental illness, N5 family dysfunction, N6 socially unacceptable behaviour"),
        ]))

    /// Youth justice disposals.
    public static let yjsDisposals = ExtractSchema(
        name: "yjs_disposals", agency: .youthJustice, idColumn: "DisposalID", personLevel: true, delimiter: "|",
        description: "Youth justice service disposals and orders (pipe-delimited, as the case system exports).",
        columns: cols([
            ("DisposalID", "id"),
            ("YOTCaseNo", "youth justice case number"),
            ("Name", "SURNAME, Forename"),
            ("DOB", "DD-MON-YYYY"),
            ("Sex", "M or F"),
            ("AddressLine1", "flat or house name, when there is one"),
            ("AddressLine2", "house number and street (street types sometimes abbreviated: Rd, St, Ave)"),
            ("AddressLine3", "locality, often left out"),
            ("AddressLine4", "town, sometimes left out"),
            ("Postcode", "home postcode"),
            ("PNCID", "Police National Computer id"),
            ("OutcomeDate", "DD-MON-YYYY"),
            ("RecordedDate", "DD-MON-YYYY"),
            ("Disposal", "YC (youth caution), YCC (conditional caution), RO (referral order), YRO (youth rehabilitation order), DTO (detention and training order)"),
            ("HOCode", "Home Office code of the main offence"),
        ]))

    /// Probation cases (adults).
    public static let probationCases = ExtractSchema(
        name: "probation_cases", agency: .probation, idColumn: "CaseID", personLevel: true, delimiter: ",",
        description: "Probation supervision starts (adults).",
        columns: cols([
            ("CaseID", "id"),
            ("CRN", "case reference number"),
            ("Surname", "surname"),
            ("FirstName", "forename"),
            ("DOB", "DD/MM/YYYY"),
            ("Gender", "M or F"),
            ("PNC", "Police National Computer id"),
            ("AddressLine1", "flat or house name, when there is one"),
            ("AddressLine2", "house number and street (street types sometimes abbreviated: Rd, St, Ave)"),
            ("AddressLine3", "locality, often left out"),
            ("AddressLine4", "town, sometimes left out"),
            ("Postcode", "home postcode"),
            ("SentenceDate", "DD/MM/YYYY"),
            ("RecordedDate", "DD/MM/YYYY"),
            ("Sentence", "COMMUNITY_ORDER, SUSPENDED_SENTENCE, LICENCE"),
            ("HOCode", "main offence"),
        ]))

    /// Prison receptions (adults).
    public static let prisonReceptions = ExtractSchema(
        name: "prison_receptions", agency: .prison, idColumn: "ReceptionID", personLevel: true, delimiter: ",",
        description: "Prison receptions (adults), with release dates.",
        columns: cols([
            ("ReceptionID", "id"),
            ("PrisonNumber", "prison number, e.g. A1234BC"),
            ("Surname", "upper case"),
            ("Forenames", "upper case"),
            ("DOB", "YYYY-MM-DD"),
            ("Sex", "M or F"),
            ("PNC", "Police National Computer id"),
            ("ReceptionDate", "YYYY-MM-DD"),
            ("RecordedDate", "YYYY-MM-DD"),
            ("ReleaseDate", "YYYY-MM-DD"),
            ("HOCode", "main offence"),
        ]))

    /// Adult substance misuse treatment (NDTMS-like: initials, not names).
    public static let substanceMisuse = ExtractSchema(
        name: "substance_misuse", agency: .substanceMisuse, idColumn: "EpisodeID", personLevel: true, delimiter: ",",
        description: "Adult drug and alcohol treatment episodes; as in NDTMS, only initials are shared.",
        columns: cols([
            ("EpisodeID", "id"),
            ("ClientRef", "the service's client reference"),
            ("FirstInitial", "first letter of forename"),
            ("SurnameInitial", "first letter of surname"),
            ("DOB", "DD/MM/YYYY"),
            ("Sex", "M or F"),
            ("AddressLine1", "flat or house name, when there is one"),
            ("AddressLine2", "house number and street (street types sometimes abbreviated: Rd, St, Ave)"),
            ("AddressLine3", "locality, often left out"),
            ("AddressLine4", "town, sometimes left out"),
            ("Postcode", "home postcode"),
            ("NHSNumber", "NHS number, often missing"),
            ("TriageDate", "DD/MM/YYYY"),
            ("RecordedDate", "DD/MM/YYYY"),
            ("Substance", "ALCOHOL, OPIATES, CRACK, CANNABIS, OTHER"),
            ("ParentalStatus", "LIVES_WITH_CHILDREN, CHILDREN_ELSEWHERE, NONE"),
        ]))

    /// Adult mental health services referrals.
    public static let mentalHealth = ExtractSchema(
        name: "mental_health", agency: .mentalHealth, idColumn: "ReferralID", personLevel: true, delimiter: ",",
        description: "Adult secondary mental health service referrals (MHSDS-like).",
        columns: cols([
            ("ReferralID", "id"),
            ("NHSNumber", "NHS number, spaced 3-3-4"),
            ("GivenName", "forename"),
            ("FamilyName", "surname"),
            ("BirthDate", "YYYY-MM-DD"),
            ("GenderCode", "1 male, 2 female"),
            ("AddressLine1", "flat or house name, when there is one"),
            ("AddressLine2", "house number and street (street types sometimes abbreviated: Rd, St, Ave)"),
            ("AddressLine3", "locality, often left out"),
            ("AddressLine4", "town, sometimes left out"),
            ("Postcode", "home postcode"),
            ("ReferralDate", "YYYY-MM-DD"),
            ("RecordedDate", "YYYY-MM-DD"),
            ("Team", "CMHT, CRISIS, PERINATAL, IAPT"),
        ]))

    /// Every extract, in the order written.
    public static let all: [ExtractSchema] = [
        policeCrimes, policeCrimePeople, policeIncidents, policeCustody, policeMissing, policeStopSearch,
        schoolCensus, schoolExclusions, edAttendances, cscContacts, cscEpisodes, yjsDisposals,
        probationCases, prisonReceptions, substanceMisuse, mentalHealth,
    ]
}
