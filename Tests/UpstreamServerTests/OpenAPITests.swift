import Foundation
import Hummingbird
import Testing
import UpstreamServer

@Suite("The OpenAPI document")
struct OpenAPITests {
    @Test("the document parses as OpenAPI 3.1 and holds every route the router registers, and nothing more")
    func everyRouteDocumented() async throws {
        let f = try Fixture()
        let router = f.app.router()
        let r = try await f.live { b in try await b.get("/openapi.json") }
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var registered = Set<String>()
        for route in router.routes {
            let path = route.path.description
            let method = route.method.rawValue.lowercased()
            registered.insert("\(method) \(path)")
            #expect(paths[path]?[method] != nil, "\(method.uppercased()) \(path) is not in /openapi.json")
        }
        var documented = Set<String>()
        for (path, ops) in paths { for m in ops.keys { documented.insert("\(m) \(path)") } }
        #expect(documented == registered, "documented but not served: \(documented.subtracting(registered))")
        // Every operation has responses, and every $ref resolves.
        let components = try #require(doc["components"] as? [String: Any])
        let schemas = try #require(components["schemas"] as? [String: Any])
        let text = r.text
        var rest = text[...]
        while let range = rest.range(of: "\"#/components/schemas/") {
            let name = rest[range.upperBound...].prefix { $0 != "\"" }
            #expect(schemas[String(name)] != nil, "unresolved $ref \(name)")
            rest = rest[range.upperBound...]
        }
        for (path, ops) in paths {
            for (m, op) in ops { #expect((op as? [String: Any])?["responses"] != nil, "\(m) \(path) has no responses") }
        }
    }
}
