import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Well-formedness checks with Foundation's XML parser (libxml2 on Linux).
enum XMLCheck {
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var error: String?
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                    attributes attributeDict: [String: String] = [:]) {
            elements.append((elementName, attributeDict))
        }
        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            error = "line \(parser.lineNumber), column \(parser.columnNumber): \(parseError)"
        }
    }

    /// Parses `xml`; returns the elements in document order, or the parser's error.
    static func parse(_ xml: String) -> (elements: [(name: String, attributes: [String: String])], error: String?) {
        let parser = XMLParser(data: Data(xml.utf8))
        let c = Collector()
        parser.delegate = c
        let ok = parser.parse()
        return (c.elements, ok ? nil : (c.error ?? "parse failed"))
    }

    /// Every `<svg …>…</svg>` fragment of a page (they are not nested).
    static func svgFragments(_ html: String) -> [String] {
        var out: [String] = []
        var rest = html[...]
        while let open = rest.range(of: "<svg"), let close = rest.range(of: "</svg>", range: open.upperBound..<rest.endIndex) {
            out.append(String(rest[open.lowerBound..<close.upperBound]))
            rest = rest[close.upperBound...]
        }
        return out
    }

    static func occurrences(of needle: String, in hay: String) -> Int {
        hay.components(separatedBy: needle).count - 1
    }
}
