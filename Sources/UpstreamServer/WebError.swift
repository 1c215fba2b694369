import Foundation
import HTTPTypes
import Hummingbird

/// An error from the web app: the status, and a sentence that says what is wrong and what to do. Carries ids,
/// roles and route names only, never personal data. Rendered in one place (``response(from:context:)``): JSON under
/// `/api/`, an HTML page elsewhere (a redirect to the login page when signing in would help).
public struct WebError: HTTPResponseError, Equatable, CustomStringConvertible {
    enum Code: String, Sendable {
        case signInRequired, forbidden, notFound, badRequest, csrf, tooManyRequests, locked, badCredentials, conflict, serverFailure
    }

    let code: Code
    /// What went wrong and what to do.
    public let message: String
    /// The young person (pseudonym) a refused person-level request named, when the person exists: recorded as the
    /// refusal's audit subject (an IDOR attempt), never shown to the requester.
    let refusedSubject: String?
    /// Whether this 404 refuses a person-level request (audited), rather than saying a page does not exist.
    let personRefusal: Bool

    init(_ code: Code, _ message: String, refusedSubject: String? = nil, personRefusal: Bool = false) {
        self.code = code; self.message = message; self.refusedSubject = refusedSubject; self.personRefusal = personRefusal
    }

    /// No session, or the session expired.
    public static let signInRequired = WebError(.signInRequired, "sign in first: your session is missing or has expired")
    /// The signed-in role may not do this.
    public static func forbidden(_ what: String) -> WebError { WebError(.forbidden, what) }
    /// Nothing here, or nothing this user may see (the two are not told apart).
    public static func notFound(_ what: String) -> WebError { WebError(.notFound, what) }
    /// A person-level request for a young person the user may not open (another practitioner's, or none): the same
    /// 404 as an unknown pseudonym, but written to the audit trail as a refusal.
    static func notOnCaseload(_ what: String, subject: String?) -> WebError {
        WebError(.notFound, what, refusedSubject: subject, personRefusal: true)
    }
    /// The request is malformed.
    public static func badRequest(_ what: String) -> WebError { WebError(.badRequest, what) }
    /// A POST without the session's CSRF token.
    public static let csrf = WebError(.csrf, "the form's security token is missing or wrong: reload the page and submit it again")
    /// Too many login attempts from one address.
    public static let tooManyRequests = WebError(.tooManyRequests, "too many login attempts from this address: wait a minute and try again")
    /// Something conflicts with the current state (a decided item decided again).
    public static func conflict(_ what: String) -> WebError { WebError(.conflict, what) }
    /// A failure inside the server; the log has the details (without personal data).
    public static let serverFailure = WebError(.serverFailure, "the server could not complete the request: the log has the details")

    public var status: HTTPResponse.Status {
        switch code {
        case .signInRequired, .badCredentials: .unauthorized
        case .forbidden, .csrf: .forbidden
        case .notFound: .notFound
        case .badRequest: .badRequest
        case .tooManyRequests, .locked: .tooManyRequests
        case .conflict: .conflict
        case .serverFailure: .internalServerError
        }
    }

    /// Why the request was refused, for the audit trail, when this error is a refusal (401, 403, a CSRF failure, a
    /// throttled login, a person outside the caseload); nil for errors that refuse nothing (400, 409, 500, an
    /// unknown page).
    var refusal: String? {
        switch code {
        case .signInRequired: "not signed in"
        case .forbidden: "role refused"
        case .csrf: "CSRF token missing or wrong"
        case .tooManyRequests: "login rate limit"
        case .notFound: personRefusal ? "not on the caseload" : nil
        case .badRequest, .conflict, .serverFailure, .locked, .badCredentials: nil
        }
    }

    public var description: String { "\(status.code) \(code.rawValue): \(message)" }

    struct Body: Encodable { var error: String; var message: String }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        if request.uri.path.hasPrefix("/api/") {
            let data = try JSONEncoder().encode(Body(error: code.rawValue, message: message))
            return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        if code == .signInRequired, request.method == .get {
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        let html = Layout.page(title: "\(status.code) \(status.reasonPhrase)", user: nil, csrf: nil, body: """
            <h1>\(status.code) \(Layout.escape(status.reasonPhrase))</h1>
            <p role="alert">\(Layout.escape(message))</p>
            <p><a href="/">Back to the dashboard</a></p>
            """)
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
