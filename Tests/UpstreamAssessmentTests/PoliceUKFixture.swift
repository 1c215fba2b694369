/// A police.uk street-level crime file with every irregularity the published files have: a byte-order mark, CRLF
/// line ends, quoted fields with commas and doubled quotes, a quoted field with a line break inside, an anti-social
/// behaviour row with no Crime ID, a row with no location (empty coordinates and LSOA), and a blank trailing line;
/// plus two rows that cannot be used (a month that is not YYYY-MM, and a row cut short).
enum PoliceUKFixture {
    static let header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"
    static let lines = [
        header,
        "a1f0,2024-01,West Midlands Police,West Midlands Police,-1.900000,52.480000,On or near Bull Street,E01000001,Birmingham 001A,Violence and sexual offences,Under investigation,",
        ",2024-01,West Midlands Police,West Midlands Police,-1.902000,52.482000,On or near Park,E01000001,Birmingham 001A,Anti-social behaviour,,",
        "a3f0,2024-01,West Midlands Police,West Midlands Police,-1.950000,52.500000,\"On or near High Street, Aston\",E01000002,\"Birmingham 002B\",Violence and sexual offences,Unable to prosecute suspect,",
        "a4f0,2024-02,West Midlands Police,West Midlands Police,,,No Location,,,Robbery,Status update unavailable,",
        "a5f0,2024-02,West Midlands Police,West Midlands Police,-1.900000,52.480000,\"On or near \"\"The Crown\"\" pub\",E01000001,Birmingham 001A,Robbery,,",
        "a6f0,2024-02,West Midlands Police,West Midlands Police,-1.898000,52.478000,On or near Bull Street,E01000001,Birmingham 001A,Violence and sexual offences,,\"First line\r\nsecond line, with a comma\"",
        "a7f0,2024/02,West Midlands Police,West Midlands Police,-1.900000,52.480000,On or near Bull Street,E01000001,Birmingham 001A,Violence and sexual offences,,",
        "a8f0,2024-02,West Midlands Police",
    ]

    /// The file's bytes: BOM, CRLF after every line, then a blank trailing line.
    static var bytes: [UInt8] { [0xEF, 0xBB, 0xBF] + Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) }

    static let outcomes = """
    Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type
    a1f0,2024-03,West Midlands Police,West Midlands Police,-1.900000,52.480000,On or near Bull Street,E01000001,Birmingham 001A,Investigation complete; no suspect identified
    a3f0,2024-03,West Midlands Police,West Midlands Police,-1.950000,52.500000,"On or near High Street, Aston",E01000002,Birmingham 002B,Unable to prosecute suspect

    """

    static let stopAndSearch = """
    Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing
    Person search,2024-01-05T22:10:00+00:00,False,,52.480000,-1.900000,Male,18-24,Other ethnic group - Not stated,Other,Misuse of Drugs Act 1971 (section 23),Controlled drugs,A no further action disposal,False,False
    Person search,2024-01-06T01:30:00+00:00,False,,52.481000,-1.901000,Male,10-17,White - English/Welsh/Scottish/Northern Irish/British,White,Criminal Justice and Public Order Act 1994 (section 60),Offensive weapons,Arrest,True,False

    """
}
