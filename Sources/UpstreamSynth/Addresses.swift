import UpstreamModel

/// A home address in the city: a slot on one of its area's streets, with its postcode unit.
///
/// Two households never share an address (slots are handed out per area in order); a postcode unit covers a run
/// of house numbers on one street (several streets may share a unit, as in life).
public struct Address: Sendable, Equatable {
    public var area: Int32
    public var street: Int16
    public var number: Int32
    /// Flat number, 0 when not a flat.
    public var flat: Int16 = 0
    /// Index into `AddressNames.houseNames`, -1 when the address has a number instead.
    public var houseName: Int16 = -1
    public var unit: Int16

    public static let none = Address(area: -1, street: 0, number: 0, unit: 0)
    public var isNone: Bool { area < 0 }
}

/// Where a household lived from a date on.
public struct Residence: Sendable {
    public var from: CivilDate
    public var address: Address
}

/// Street, locality and town names, and how agencies abbreviate them.
enum AddressNames {
    /// Common English street names, most common first (drawn with Zipf weights, so "High Street" recurs across towns).
    static let common = [
        "High Street", "Station Road", "Main Street", "Park Road", "Church Road", "Church Street", "London Road",
        "Victoria Road", "Green Lane", "Manor Road", "Church Lane", "Park Avenue", "The Avenue", "The Crescent",
        "Queens Road", "New Road", "Grange Road", "Kings Road", "Alexandra Road", "Windsor Road", "Mill Lane",
        "School Lane", "North Street", "Springfield Road", "Albert Road", "West Street", "York Road", "Chester Road",
        "Stanley Road", "George Street", "Richmond Road", "Broadway", "Highfield Road", "Queen Street", "King Street",
        "Warwick Road", "Coventry Road", "Birmingham Road", "Walsall Road", "Stratford Road", "Bristol Road",
        "Moseley Road", "Soho Road", "Lichfield Road", "Stoney Lane", "Ladypool Road", "Alum Rock Road", "Dudley Road",
    ]
    static let words = [
        "Oak", "Elm", "Ash", "Beech", "Birch", "Willow", "Holly", "Hazel", "Rowan", "Maple", "Cedar", "Chestnut",
        "Meadow", "Orchard", "Brook", "Mill", "Heath", "Moor", "Hill", "Vale", "Field", "Grove", "Bank", "Ford",
        "Highfield", "Greenfield", "Westfield", "Northfield", "Fairfield", "Woodland", "Hawthorn", "Lime", "Poplar",
        "Sycamore", "Laburnum", "Lilac", "Primrose", "Bluebell", "Foxglove", "Kingfisher", "Swallow", "Falcon",
        "Shakespeare", "Milton", "Tennyson", "Wordsworth", "Byron", "Darwin", "Newton", "Nelson", "Wellington",
        "Cromwell", "Tudor", "Windermere", "Coniston", "Malvern", "Cotswold", "Pershore", "Evesham", "Tamworth",
        "Sutton", "Aston", "Handsworth", "Erdington", "Yardley", "Sparkhill", "Balsall", "Small Heath", "Kingstanding",
        "Bordesley", "Digbeth", "Edgbaston", "Harborne", "Selly", "Bournville", "Kings Heath", "Acocks", "Lozells",
    ]
    static let suffixes = ["Road", "Street", "Avenue", "Close", "Drive", "Lane", "Way", "Crescent", "Gardens", "Grove",
                           "Place", "Road", "Road", "Street", "Close"]
    static let houseNames = ["Rose Cottage", "The Willows", "The Cottage", "Ivy House", "The Old Rectory", "Hillside",
                             "Woodlands", "The Lodge", "Orchard House", "The Bungalow", "Meadow View", "Fernleigh"]
    static let localities = [
        "Northfield", "Southbrook", "Eastgate", "Westbury", "Kingsmoor", "Queensbury", "Ashcombe", "Blackheath",
        "Brookside", "Castle Vale", "Cotteridge", "Dale End", "Fordhouses", "Greenhill", "Hamstead", "Highgate",
        "Hollybank", "Longbridge", "Lyndon", "Marsh Hill", "Merryhill", "Newtown", "Oldbury Green", "Parkfield",
        "Quinton", "Redhill", "Rowley", "Saltley", "Shard End", "Stechford", "Tile Cross", "Tyburn", "Walker Heath",
        "Weoley", "Whitehall", "Winson Green", "Woodgate", "Yew Tree", "Ashfield", "Beechwood", "Chelmsley",
        "Druids Heath", "Elmdon", "Frankley", "Gospel End", "Hurst Green", "Ingleby", "Jewellery Quarter",
    ]
    static let towns = ["Anyton", "Northwick", "Eastham", "Southwell", "Westford", "Kingsbury", "Oakhampton", "Millbridge",
                        "Ashby Heath", "Brookfield", "Castleford Vale", "Dunmore"]

    static let abbreviations: [(String, String)] = [
        ("Road", "Rd"), ("Street", "St"), ("Avenue", "Ave"), ("Close", "Cl"), ("Drive", "Dr"), ("Lane", "Ln"),
        ("Crescent", "Cres"), ("Gardens", "Gdns"), ("Grove", "Gr"), ("Place", "Pl"),
    ]

    /// The street name with its last word abbreviated (Road -> Rd), when it has one that agencies shorten.
    static func abbreviated(_ street: String) -> String {
        for (long, short) in abbreviations where street.hasSuffix(" " + long) {
            return String(street.dropLast(long.count)) + short
        }
        return street
    }
}

/// An address as one agency recorded it: up to four lines (premises, number and street, locality, town) and
/// the postcode, with formatting noise already applied (case is the extract's convention, applied on writing).
struct RecordedAddress {
    var lines: [String] = ["", "", "", ""]
    var postcode: String = ""
}
