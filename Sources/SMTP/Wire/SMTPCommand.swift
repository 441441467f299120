/// What the client says to the server. The encoder turns these into bytes; the conversation decides which comes next.
public enum SMTPCommand: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    case ehlo(String)
    case helo(String)
    case startTLS
    /// AUTH PLAIN with the initial response (RFC 4616), already base64.
    case authPlain(initialResponse: String)
    case authLogin
    /// AUTH CRAM-MD5 (RFC 2195); the server answers with a challenge.
    case authCRAMMD5
    /// AUTH XOAUTH2 with the base64 user/token string; it carries a bearer token.
    case authXOAUTH2(initialResponse: String)
    /// A base64 line answering a 334 challenge.
    case authResponse(String)
    case mailFrom(String, parameters: [String])
    case rcptTo(String)
    case data
    /// The message itself; the encoder dot-stuffs it and appends the terminating ".".
    case messageContent([UInt8])
    case reset
    case quit

    /// Interpolation and test-failure output print the redacted form: a credential must not
    /// reach a log through `"\(command)"` or `"\(actions)"`.
    public var description: String { redactedDescription }
    public var debugDescription: String { redactedDescription }

    /// How the command may appear in logs: credentials never do.
    public var redactedDescription: String {
        switch self {
        case .ehlo(let name): "EHLO \(name)"
        case .helo(let name): "HELO \(name)"
        case .startTLS: "STARTTLS"
        case .authPlain: "AUTH PLAIN <redacted>"
        case .authLogin: "AUTH LOGIN"
        case .authCRAMMD5: "AUTH CRAM-MD5"
        case .authXOAUTH2: "AUTH XOAUTH2 <redacted>"
        case .authResponse: "<redacted>"
        case .mailFrom(let address, let parameters): (["MAIL FROM:<\(address)>"] + parameters).joined(separator: " ")
        case .rcptTo(let address): "RCPT TO:<\(address)>"
        case .data: "DATA"
        case .messageContent(let bytes): "<message, \(bytes.count) bytes>"
        case .reset: "RSET"
        case .quit: "QUIT"
        }
    }
}
