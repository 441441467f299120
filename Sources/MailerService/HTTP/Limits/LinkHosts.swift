import Foundation

/// MAILER_LINK_HOSTS: the hosts a caller-supplied link may point to, so that a caller (or whoever
/// feeds it a URL) cannot make the service mail a trusted-looking email that links elsewhere.
/// `app.example.com` is that host alone; `*.example.com` is any host below example.com (not
/// example.com itself: list it too if it serves links).
public struct LinkHosts: Sendable, Equatable {
    /// As configured, lowercased: `app.example.com`, `*.example.com`.
    public let patterns: [String]

    init(_ patterns: [String]) {
        self.patterns = patterns
    }

    /// Comma-separated host names, each possibly `*.` followed by a domain; every bad entry is one problem.
    static func parse(_ text: String) -> (hosts: LinkHosts?, problems: [String]) {
        var patterns: [String] = []
        var problems: [String] = []
        for (offset, raw) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard !entry.isEmpty else {
                problems.append("entry \(offset + 1) is empty: remove the extra comma")
                continue
            }
            let domain = entry.hasPrefix("*.") ? String(entry.dropFirst(2)) : entry
            guard MailerConfiguration.isValidHeloName(domain), !domain.hasPrefix("[") else {
                problems.append("entry \(offset + 1) must be a host name such as app.example.com or *.example.com (any subdomain), got \"\(entry.prefix(100))\"")
                continue
            }
            patterns.append(entry)
        }
        return (problems.isEmpty ? LinkHosts(patterns) : nil, problems)
    }

    /// Whether `host` (as a URL carries it) is listed; a trailing root dot is the same host.
    func allows(_ host: String) -> Bool {
        var host = host.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        return patterns.contains { pattern in
            pattern.hasPrefix("*.") ? host.hasSuffix(String(pattern.dropFirst(1))) && host.count > pattern.count - 1 : host == pattern
        }
    }
}
