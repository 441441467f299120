/// The extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1).
public struct ServerCapabilities: Sendable, Equatable {
    public var startTLS = false
    public var pipelining = false
    public var eightBitMIME = false
    public var smtpUTF8 = false
    public var enhancedStatusCodes = false
    /// SIZE was announced (RFC 1870), with or without a limit: MAIL FROM may then carry SIZE=.
    public var size = false
    /// Maximum message size in bytes; nil when not announced or 0 (no limit).
    public var maximumSize: Int?
    /// Upper-cased mechanism names from "AUTH ..." (and the obsolete "AUTH=..." form).
    public var authMechanisms: [String] = []

    public init() {}

    /// Parses the lines after the first (which is the server's greeting name).
    public init(ehloReply: SMTPReply) {
        for line in ehloReply.lines.dropFirst() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "=" }).map { $0.uppercased() }
            guard let keyword = words.first else { continue }
            switch keyword {
            case "STARTTLS": startTLS = true
            case "PIPELINING": pipelining = true
            case "8BITMIME": eightBitMIME = true
            case "SMTPUTF8": smtpUTF8 = true
            case "ENHANCEDSTATUSCODES": enhancedStatusCodes = true
            case "SIZE":
                size = true
                if words.count > 1, let size = Int(words[1]), size > 0 { maximumSize = size }
            case "AUTH":
                for mechanism in words.dropFirst() where !authMechanisms.contains(mechanism) {
                    authMechanisms.append(mechanism)
                }
            default: break
            }
        }
    }
}
