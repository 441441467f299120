import Foundation

/// The bearer tokens the API accepts (MAILER_API_TOKENS), each with a name that identifies the
/// caller in the logs.
///
/// A token is only ever compared, never shown: `description` and the mirror list the names, and
/// problems found while parsing name the entry by position.
public struct APITokenSet: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private struct Entry: Sendable {
        let name: String
        let token: [UInt8]
    }

    private let entries: [Entry]

    public var names: [String] { entries.map(\.name) }

    /// Tokens already checked; configuration comes in through `parse`.
    init(_ tokens: [(name: String, token: String)]) {
        entries = tokens.map { Entry(name: $0.name, token: Array($0.token.utf8)) }
    }

    public var description: String { "APITokenSet(\(names.joined(separator: ", ")))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["names": names]) }

    /// Comma-separated entries, each `name:token` or just `token` (then named `token<N>` after its
    /// position), as MAILER_API_TOKENS holds them. Every bad entry is one problem; none quotes a token.
    static func parse(_ text: String) -> (tokens: APITokenSet?, problems: [String]) {
        var problems: [String] = []
        var tokens: [(name: String, token: String)] = []
        var positionOfName: [String: Int] = [:]
        var positionOfToken: [String: Int] = [:]
        for (offset, rawEntry) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let position = offset + 1
            let entry = rawEntry.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !entry.isEmpty else {
                problems.append("entry \(position) is empty: remove the extra comma")
                continue
            }
            let name: String
            let token: String
            if let colon = entry.firstIndex(of: ":") {
                name = entry[..<colon].trimmingCharacters(in: .whitespaces)
                token = entry[entry.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else {
                    problems.append("entry \(position) has an empty name before ':': write name:token, or the token alone")
                    continue
                }
                guard !name.contains(where: \.isWhitespace) else {
                    problems.append("entry \(position) has whitespace in its name: names are letters, digits, '-', '_' or '.'")
                    continue
                }
                guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else {
                    problems.append("entry \(position) has a name with other characters than letters, digits, '-', '_' or '.'")
                    continue
                }
            } else {
                name = "token\(position)"
                token = entry
            }
            let label = "entry \(position) (\"\(name)\")"
            guard !token.isEmpty else {
                problems.append("\(label) has no token after ':'")
                continue
            }
            guard !token.contains(where: \.isWhitespace) else {
                problems.append("\(label): the token contains whitespace; generate one with e.g. openssl rand -hex 32")
                continue
            }
            // HTTP header values carry printable ASCII only; anything else could never be presented.
            guard token.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
                problems.append("\(label): the token must be printable ASCII; generate one with e.g. openssl rand -hex 32")
                continue
            }
            if let first = positionOfName[name] {
                problems.append("entries \(first) and \(position) are both named \"\(name)\": names identify callers in the logs, give each its own")
                continue
            }
            if let first = positionOfToken[token] {
                problems.append("entries \(first) and \(position) have the same token: give each caller its own")
                continue
            }
            positionOfName[name] = position
            positionOfToken[token] = position
            tokens.append((name, token))
        }
        if problems.isEmpty && tokens.isEmpty { problems.append("holds no token: set name:token entries separated by commas") }
        return (problems.isEmpty ? APITokenSet(tokens) : nil, problems)
    }

    /// A token for a service started without MAILER_API_TOKENS: 32 bytes from the system's
    /// cryptographically secure generator, base64url without padding (43 characters).
    static func generateToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The name of the token equal to `presented`, or nil. Every token is compared in full, and the
    /// first equal one is not a reason to stop: how long this takes says nothing about which token,
    /// or how much of one, matched.
    func name(matching presented: some StringProtocol) -> String? {
        let presented = Array(presented.utf8)
        var match = -1
        for (index, entry) in entries.enumerated() {
            let equal = Self.constantTimeEqual(presented, entry.token)
            match = equal ? index : match
        }
        return match >= 0 ? entries[match].name : nil
    }

    /// Walks the whole stored token whatever is presented, so the time depends on the token's
    /// length alone, never on the position of the first difference.
    static func constantTimeEqual(_ presented: [UInt8], _ token: [UInt8]) -> Bool {
        var difference = UInt64(truncatingIfNeeded: presented.count ^ token.count)
        for index in token.indices {
            let byte = index < presented.count ? presented[index] : 0
            difference |= UInt64(byte ^ token[index])
        }
        return difference == 0
    }
}
