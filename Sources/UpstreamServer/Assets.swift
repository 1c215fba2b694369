import Hummingbird

/// The app's static assets, compiled in: served by name from a fixed table, never from the file system, so no
/// path can reach a file outside it (`/assets/../…` is just an unknown name: 404).
enum Assets {
    /// Name → (content type, bytes).
    static let files: [String: (type: String, body: String)] = [
        "app.css": ("text/css; charset=utf-8", css),
        "favicon.svg": ("image/svg+xml", favicon),
    ]

    /// The palette: text #1b1b1b on #ffffff (contrast 17.1:1), links #1d4f91 on #ffffff (8.6:1), header text #ffffff
    /// on #12365f (12.3:1), muted text #4a4a4a on #ffffff (8.9:1), flag text #7a1010 on #fdecec (9.0:1): all above
    /// WCAG AA's 4.5:1, and the browser test checks them.
    static let css = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; background: #ffffff; line-height: 1.5; }
        a { color: #1d4f91; }
        a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #f2a900; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; top: 0; background: #ffffff; padding: .5rem; }
        .skip:focus { left: .5rem; }
        header { background: #12365f; color: #ffffff; padding: .5rem 1rem; display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; }
        header a, header span { color: #ffffff; }
        .brand { font-weight: 700; font-size: 1.25rem; margin: 0; }
        nav { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; flex: 1; }
        nav ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; flex-wrap: wrap; }
        .signout { margin-left: auto; }
        main { padding: 1rem 2rem; max-width: 80rem; }
        footer { padding: 1rem 2rem; color: #4a4a4a; border-top: 1px solid #d0d0d0; }
        table { border-collapse: collapse; margin: 1rem 0; width: 100%; }
        caption { text-align: left; font-weight: 700; padding: .25rem 0; }
        th, td { border: 1px solid #c8c8c8; padding: .35rem .5rem; text-align: left; vertical-align: top; }
        th { background: #eef2f7; }
        .muted { color: #4a4a4a; }
        .flag { color: #7a1010; background: #fdecec; padding: 0 .25rem; }
        .card { display: inline-block; border: 1px solid #c8c8c8; padding: .75rem 1rem; margin: 0 .75rem .75rem 0; min-width: 12rem; }
        .card strong { display: block; font-size: 1.5rem; }
        form.inline { display: inline; }
        label { display: block; font-weight: 600; margin-top: .5rem; }
        input, select, textarea, button { font: inherit; padding: .3rem .5rem; }
        button { background: #1d4f91; color: #ffffff; border: 1px solid #12365f; cursor: pointer; }
        header button { background: #ffffff; color: #12365f; }
        .error { color: #7a1010; background: #fdecec; padding: .5rem; border-left: 4px solid #7a1010; }
        .notice { background: #eef7ee; color: #174d17; padding: .5rem; border-left: 4px solid #174d17; }
        code { font-size: .95em; }
        dt { font-weight: 600; }
        dd { margin: 0 0 .25rem 1.5rem; }

        """

    static let favicon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" fill="#12365f"/><path d="M3 12 8 4l5 8z" fill="#ffffff"/></svg>

        """

    /// The response for `/assets/NAME`.
    static func response(_ name: String) throws -> Response {
        guard let file = files[name] else { throw WebError.notFound("there is no asset named that") }
        return Response(status: .ok, headers: [.contentType: file.type, .cacheControl: "public, max-age=3600"],
                        body: .init(byteBuffer: ByteBuffer(string: file.body)))
    }
}
