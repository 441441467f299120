import Foundation

/// What a link a caller supplies (`resetUrl`, `inviteUrl`, the link variables of `data`) must be to
/// land in an email's href: an absolute http(s) URL with a host, no user-info (in
/// `https://app.example.com@evil.example/` the host is evil.example, whatever a reader sees first),
/// no whitespace or control characters (which hide or break the rest of a link), and, with
/// MAILER_LINK_HOSTS set, a host on that list or MAILER_BASE_URL's.
struct LinkPolicy: Sendable {
    let hosts: LinkHosts?
    /// MAILER_BASE_URL's host: the service's own links go there, so callers' may too.
    let baseHost: String?

    init(hosts: LinkHosts?, baseURL: String) {
        self.hosts = hosts
        baseHost = URL(string: baseURL)?.host?.lowercased()
    }

    func check(_ text: String, field: String) throws(Problem) {
        if let bad = text.unicodeScalars.first(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
            throw Problem.validation(field, "'\(field)' contains \(bad.properties.isWhitespace ? "whitespace" : "a control character") (U+\(String(bad.value, radix: 16, uppercase: true))); a link must be one URL with any spaces percent-encoded")
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw Problem.validation(field, "'\(field)' must be an absolute http(s) URL such as https://app.example.com/reset?code=…")
        }
        // `@` before the first `/` after the scheme: user-info, whether or not URL parses it as such.
        let authority = text.dropFirst(scheme.count + 3).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if url.user != nil || url.password != nil || authority.contains("@") {
            throw Problem.validation(field, "'\(field)' has user-info before its host (…@host): such links show one site and open another; send the link without it")
        }
        guard let hosts else { return }
        let lowered = host.lowercased()
        if hosts.allows(lowered) || lowered == baseHost || lowered == baseHost.map({ $0 + "." }) { return }
        let allowed = (hosts.patterns + (baseHost.map { [$0] } ?? [])).joined(separator: ", ")
        throw Problem.validation(field, "'\(field)' links to \(lowered.prefix(100)), which is not an allowed host (MAILER_LINK_HOSTS and MAILER_BASE_URL's host: \(allowed)); link to one of those, or add the host to MAILER_LINK_HOSTS")
    }
}
