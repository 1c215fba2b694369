import UpstreamModel

/// Name lists for the synthetic city: common UK forenames and surnames by broad ethnic group,
/// with Zipf-like weights by rank, a nickname and short-form table, and common spelling variants.
///
/// These are lists of common names, not records of anyone: no real person's data is here.
enum Names {
    static let surnamesWhite = [
        "SMITH", "JONES", "WILLIAMS", "TAYLOR", "BROWN", "DAVIES", "EVANS", "WILSON", "THOMAS", "JOHNSON",
        "ROBERTS", "ROBINSON", "THOMPSON", "WRIGHT", "WALKER", "WHITE", "EDWARDS", "HUGHES", "GREEN", "HALL",
        "LEWIS", "HARRIS", "CLARKE", "PATEL", "JACKSON", "WOOD", "TURNER", "MARTIN", "COOPER", "HILL",
        "WARD", "MORRIS", "MOORE", "CLARK", "LEE", "KING", "BAKER", "HARRISON", "MORGAN", "ALLEN",
        "JAMES", "SCOTT", "PHILLIPS", "WATSON", "DAVIS", "PARKER", "PRICE", "BENNETT", "YOUNG", "GRIFFITHS",
        "MITCHELL", "KELLY", "COOK", "CARTER", "RICHARDSON", "BAILEY", "COLLINS", "BELL", "SHAW", "MURPHY",
        "MILLER", "COX", "RICHARDS", "KHAN", "MARSHALL", "ANDERSON", "SIMPSON", "ELLIS", "ADAMS", "SINGH",
        "BEGUM", "WILKINSON", "FOSTER", "CHAPMAN", "POWELL", "WEBB", "ROGERS", "GRAY", "MASON", "ALI",
        "HUNT", "HUSSAIN", "CAMPBELL", "MATTHEWS", "OWEN", "PALMER", "HOLMES", "MILLS", "BARNES", "KNIGHT",
        "LLOYD", "BUTLER", "RUSSELL", "BARKER", "FISHER", "STEVENS", "JENKINS", "MURRAY", "DIXON", "HARVEY",
        "O'BRIEN", "MCDONALD", "FITZGERALD", "O'CONNOR", "VAN DER BERG", "DE SOUZA", "ST JOHN", "MACKENZIE",
        "ASHWORTH", "BRADSHAW", "CARTWRIGHT", "DUCKWORTH", "FAIRCLOUGH", "GREENHALGH", "HARGREAVES", "PICKERING",
    ]
    static let surnamesAsian = [
        "KHAN", "AHMED", "HUSSAIN", "ALI", "PATEL", "BEGUM", "AKHTAR", "MAHMOOD", "IQBAL", "SHAH",
        "SINGH", "KAUR", "RAHMAN", "ISLAM", "MIAH", "BIBI", "ASLAM", "RAZA", "MALIK", "QURESHI",
        "SHARMA", "KUMAR", "GILL", "SANDHU", "BAINS", "DHILLON", "CHAUHAN", "MISTRY", "DESAI", "JOSHI",
        "CHOUDHURY", "UDDIN", "BASHIR", "NAWAZ", "ANWAR", "RASHID", "SADIQ", "YOUSAF", "ABBASI", "HAQ",
    ]
    static let surnamesBlack = [
        "WILLIAMS", "BROWN", "CAMPBELL", "JOHNSON", "SMITH", "FRANCIS", "THOMAS", "GRANT", "CLARKE", "REID",
        "OKAFOR", "ADEYEMI", "MENSAH", "OSEI", "BOATENG", "OKONKWO", "ADEBAYO", "ASANTE", "OWUSU", "NWOSU",
        "MOHAMED", "ABDI", "HASSAN", "WARSAME", "FARAH", "JAMES", "HENRY", "GORDON", "MORGAN", "LEWIS",
    ]
    static let maleWhite = [
        "JACK", "THOMAS", "JAMES", "JOSHUA", "DANIEL", "HARRY", "SAMUEL", "JOSEPH", "MATTHEW", "LEWIS",
        "LUKE", "RYAN", "CALLUM", "BENJAMIN", "ALEXANDER", "WILLIAM", "LIAM", "OLIVER", "GEORGE", "CHARLIE",
        "JACOB", "ADAM", "CONNOR", "KIERAN", "NATHAN", "BRADLEY", "JORDAN", "REECE", "JAKE", "KYLE",
        "MICHAEL", "DAVID", "PAUL", "ANDREW", "MARK", "STEPHEN", "CHRISTOPHER", "ROBERT", "RICHARD", "JOHN",
        "PETER", "ANTHONY", "CRAIG", "LEE", "DEAN", "GARY", "WAYNE", "SHAUN", "CARL", "DARREN",
        "EDWARD", "PHILIP", "NICHOLAS", "TIMOTHY", "JONATHAN", "FREDERICK", "ALFIE", "ARCHIE", "MASON", "LOGAN",
    ]
    static let femaleWhite = [
        "OLIVIA", "EMILY", "JESSICA", "SOPHIE", "CHLOE", "LAUREN", "HANNAH", "ELLIE", "CHARLOTTE", "AMY",
        "LUCY", "MEGAN", "KATIE", "GRACE", "HOLLY", "BETHANY", "REBECCA", "ABIGAIL", "ELIZABETH", "MOLLY",
        "AMELIA", "ISLA", "POPPY", "EVIE", "RUBY", "DAISY", "LILY", "MIA", "JADE", "SHANNON",
        "SARAH", "LAURA", "EMMA", "GEMMA", "NICOLA", "KATHERINE", "HELEN", "CLAIRE", "LISA", "KAREN",
        "SUSAN", "JULIE", "DONNA", "JOANNE", "MICHELLE", "KELLY", "STACEY", "TRACEY", "SAMANTHA", "VICTORIA",
        "CATHERINE", "MARGARET", "DEBORAH", "JENNIFER", "ALEXANDRA", "ZOE", "LEAH", "PAIGE", "COURTNEY", "TIA",
    ]
    static let maleAsian = [
        "MOHAMMED", "MUHAMMAD", "ADAM", "ALI", "IBRAHIM", "YUSUF", "HAMZA", "ZAIN", "AYAAN", "ARYAN",
        "ABDULLAH", "BILAL", "USMAN", "HASSAN", "OMAR", "IMRAN", "TARIQ", "ASIF", "SAJID", "KAMRAN",
        "HARPREET", "GURPREET", "JASPREET", "RAJ", "ARJUN", "ROHAN", "VIKRAM", "SANJAY", "AMIT", "RAVI",
    ]
    static let femaleAsian = [
        "AISHA", "FATIMA", "MARYAM", "ZARA", "AMINA", "HAFSA", "ZAINAB", "SAFIYA", "NOOR", "INAYA",
        "SANA", "AYESHA", "NADIA", "SHAZIA", "SAMINA", "NASREEN", "RUKHSANA", "FARAH", "YASMIN", "HUMA",
        "PRIYA", "ANJALI", "SIMRAN", "HARLEEN", "JASMINE", "NEHA", "POOJA", "KIRAN", "SUNITA", "MANPREET",
    ]
    static let maleBlack = [
        "DANIEL", "DAVID", "JOSHUA", "SAMUEL", "EMMANUEL", "MICHAEL", "TYRONE", "DWAYNE", "MARCUS", "ANDRE",
        "KWAME", "KOFI", "CHIDI", "TUNDE", "OLUWASEUN", "DESMOND", "LEROY", "JAYDEN", "TYLER", "ELIJAH",
        "ISAAC", "JEROME", "NATHANIEL", "ABDI", "MOHAMED", "AHMED", "JERMAINE", "CURTIS", "DEVON", "RASHID",
    ]
    static let femaleBlack = [
        "GRACE", "ESTHER", "BLESSING", "PRECIOUS", "FAITH", "ABENA", "AMA", "CHIAMAKA", "FOLAKE", "TOLU",
        "SHANICE", "JADA", "KEISHA", "TIANA", "NIA", "AALIYAH", "JASMINE", "SIMONE", "MARCIA", "YVONNE",
        "HODAN", "FARTUN", "AMINA", "SAMIRA", "RUTH", "DEBORAH", "MIRIAM", "JOY", "PATIENCE", "MERCY",
    ]

    /// Short forms and nicknames by which a forename is also recorded.
    static let nicknames: [String: [String]] = [
        "WILLIAM": ["BILL", "WILL", "BILLY", "LIAM"], "ROBERT": ["BOB", "ROB", "BOBBY"], "RICHARD": ["RICH", "DICK", "RICKY"],
        "JAMES": ["JIM", "JIMMY", "JAMIE"], "JOHN": ["JACK", "JOHNNY"], "MICHAEL": ["MIKE", "MICKEY"],
        "CHRISTOPHER": ["CHRIS", "KIT"], "DANIEL": ["DAN", "DANNY"], "MATTHEW": ["MATT"], "THOMAS": ["TOM", "TOMMY"],
        "JOSHUA": ["JOSH"], "SAMUEL": ["SAM", "SAMMY"], "JOSEPH": ["JOE", "JOEY"], "BENJAMIN": ["BEN"],
        "ALEXANDER": ["ALEX", "SANDY"], "NICHOLAS": ["NICK"], "ANTHONY": ["TONY"], "ANDREW": ["ANDY", "DREW"],
        "STEPHEN": ["STEVE"], "EDWARD": ["ED", "TED", "EDDIE"], "PHILIP": ["PHIL"], "TIMOTHY": ["TIM"],
        "JONATHAN": ["JON"], "FREDERICK": ["FRED", "FREDDIE"], "PETER": ["PETE"], "DAVID": ["DAVE"],
        "NATHANIEL": ["NATE", "NAT"], "ELIZABETH": ["LIZ", "BETH", "LIZZIE", "ELIZA"], "KATHERINE": ["KATE", "KATIE", "KATH"],
        "CATHERINE": ["CATH", "CATE"], "REBECCA": ["BECKY", "BECCA"], "ABIGAIL": ["ABBIE", "ABBY"],
        "MARGARET": ["MAGGIE", "PEGGY"], "VICTORIA": ["VICKY", "TORI"], "SAMANTHA": ["SAM", "SAMMIE"],
        "JENNIFER": ["JENNY", "JEN"], "DEBORAH": ["DEBBIE", "DEB"], "ALEXANDRA": ["ALEX", "LEXI"],
        "CHARLOTTE": ["CHARLIE", "LOTTIE"], "NICOLA": ["NIKKI"], "SUSAN": ["SUE"], "MOHAMMED": ["MO"],
        "MUHAMMAD": ["MO"], "EMMANUEL": ["MANNY"], "GURPREET": ["GARY"], "HARPREET": ["HARRY"], "ABDULLAH": ["ABDUL"],
    ]

    /// Spellings that agencies commonly confuse for the same name (phonetic misspellings).
    static let variants: [String: [String]] = [
        "MOHAMMED": ["MOHAMMAD", "MUHAMMAD", "MOHAMED", "MOHAMMUD"], "MUHAMMAD": ["MOHAMMED", "MUHAMMED"],
        "STEPHEN": ["STEVEN"], "PHILIP": ["PHILLIP"], "JON": ["JOHN"], "CATHERINE": ["KATHRYN", "CATHRYN", "KATHERINE"],
        "KATHERINE": ["CATHERINE", "KATHRYN"], "SARAH": ["SARA"], "HANNAH": ["HANA"], "ZOE": ["ZOEY"],
        "LEAH": ["LEA"], "AISHA": ["AYESHA", "AYSHA"], "AYESHA": ["AISHA"], "YUSUF": ["YOUSEF", "YOUSUF"],
        "ISLA": ["ILA"], "MEGAN": ["MEGHAN"], "JADE": ["JAYDE"], "JAYDEN": ["JADEN", "JAYDON"], "TYRONE": ["TYRON"],
        "CALLUM": ["CALUM"], "LEWIS": ["LOUIS"], "REECE": ["RHYS", "REESE"], "KIERAN": ["CIARAN"], "SEAN": ["SHAUN", "SHAWN"],
        "SHAUN": ["SEAN", "SHAWN"], "CLAIRE": ["CLARE"], "TRACEY": ["TRACY"], "STACEY": ["STACY"], "LEE": ["LEIGH"],
        "SMITH": ["SMYTH", "SMYTHE"], "CLARKE": ["CLARK"], "CLARK": ["CLARKE"], "THOMPSON": ["THOMSON"], "DAVIES": ["DAVIS"],
        "DAVIS": ["DAVIES"], "HUSSAIN": ["HUSSEIN", "HUSAIN"], "AHMED": ["AHMAD"], "CHOUDHURY": ["CHOWDHURY"],
        "MOHAMED": ["MOHAMMED"], "MACKENZIE": ["MCKENZIE"], "MCDONALD": ["MACDONALD"], "GRAY": ["GREY"],
        "REID": ["READ", "REED"], "OSEI": ["OSSEI"], "MENSAH": ["MENSA"], "ABDI": ["ABDY"], "BEGUM": ["BEGAM"],
    ]

    /// Rank-based weights (Zipf, exponent 1), so that the first names of each list are very common.
    static func zipf(_ n: Int) -> [Double] { (0..<n).map { 1 / Double($0 + 1) } }

    /// Forename list for sex and ethnicity.
    static func forenames(sex: Sex, ethnicity: Ethnicity) -> [String] {
        switch (ethnicity, sex) {
        case (.asian, .male): maleAsian
        case (.asian, .female): femaleAsian
        case (.black, .male): maleBlack
        case (.black, .female): femaleBlack
        case (_, .male): maleWhite
        case (_, .female): femaleWhite
        }
    }

    static func surnames(_ ethnicity: Ethnicity) -> [String] {
        switch ethnicity {
        case .asian: surnamesAsian
        case .black: surnamesBlack
        default: surnamesWhite
        }
    }
}
