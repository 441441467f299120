/// Evaluates an OpenSSL-style cipher list (SMTP_CIPHER_SPEC) into explicit cipher names.
///
/// BoringSSL, under swift-nio-ssl, traps on a cipher list that selects nothing instead of
/// returning an error, so a typo in an environment variable would crash the service. We
/// evaluate the list ourselves against the suites BoringSSL implements and hand it only explicit
/// names: unknown words are refused by name, and an empty result is a start-up error.
///
/// Supported syntax: words separated by `:`, `,` or spaces; `A+B` (ciphers matching all of
/// them); prefixes `!` (remove for good), `-` (remove), `+` (move to the end); `@STRENGTH` is
/// accepted and ignored (the table is already strongest first). TLS 1.3 suites are not
/// configurable in BoringSSL: set SMTP_CIPHER_SPEC=TLSv1.3 to require them.
enum CipherList {
    struct Suite {
        let name: String
        let tags: Set<String>
    }

    /// BoringSSL's TLS 1.2 suites, strongest first, with the aliases each one answers to.
    static let suites: [Suite] = [
        suite("ECDHE-ECDSA-AES256-GCM-SHA384", kx: "ECDHE", auth: "ECDSA", enc: ["AES256", "AESGCM", "AES"], mac: "AEAD", tls12: true),
        suite("ECDHE-RSA-AES256-GCM-SHA384", kx: "ECDHE", auth: "RSA", enc: ["AES256", "AESGCM", "AES"], mac: "AEAD", tls12: true),
        suite("ECDHE-ECDSA-CHACHA20-POLY1305", kx: "ECDHE", auth: "ECDSA", enc: ["CHACHA20"], mac: "AEAD", tls12: true),
        suite("ECDHE-RSA-CHACHA20-POLY1305", kx: "ECDHE", auth: "RSA", enc: ["CHACHA20"], mac: "AEAD", tls12: true),
        suite("ECDHE-ECDSA-AES128-GCM-SHA256", kx: "ECDHE", auth: "ECDSA", enc: ["AES128", "AESGCM", "AES"], mac: "AEAD", tls12: true),
        suite("ECDHE-RSA-AES128-GCM-SHA256", kx: "ECDHE", auth: "RSA", enc: ["AES128", "AESGCM", "AES"], mac: "AEAD", tls12: true),
        suite("ECDHE-PSK-CHACHA20-POLY1305", kx: "ECDHE", auth: "PSK", enc: ["CHACHA20"], mac: "AEAD", tls12: true),
        suite("ECDHE-ECDSA-AES128-SHA256", kx: "ECDHE", auth: "ECDSA", enc: ["AES128", "AES"], mac: "SHA256", tls12: true),
        suite("ECDHE-RSA-AES128-SHA256", kx: "ECDHE", auth: "RSA", enc: ["AES128", "AES"], mac: "SHA256", tls12: true),
        suite("ECDHE-ECDSA-AES256-SHA", kx: "ECDHE", auth: "ECDSA", enc: ["AES256", "AES"], mac: "SHA1", tls12: false),
        suite("ECDHE-RSA-AES256-SHA", kx: "ECDHE", auth: "RSA", enc: ["AES256", "AES"], mac: "SHA1", tls12: false),
        suite("ECDHE-ECDSA-AES128-SHA", kx: "ECDHE", auth: "ECDSA", enc: ["AES128", "AES"], mac: "SHA1", tls12: false),
        suite("ECDHE-RSA-AES128-SHA", kx: "ECDHE", auth: "RSA", enc: ["AES128", "AES"], mac: "SHA1", tls12: false),
        suite("ECDHE-PSK-AES256-CBC-SHA", kx: "ECDHE", auth: "PSK", enc: ["AES256", "AES"], mac: "SHA1", tls12: false),
        suite("ECDHE-PSK-AES128-CBC-SHA", kx: "ECDHE", auth: "PSK", enc: ["AES128", "AES"], mac: "SHA1", tls12: false),
        suite("AES256-GCM-SHA384", kx: "RSA", auth: "RSA", enc: ["AES256", "AESGCM", "AES"], mac: "AEAD", tls12: true),
        suite("AES128-GCM-SHA256", kx: "RSA", auth: "RSA", enc: ["AES128", "AESGCM", "AES"], mac: "AEAD", tls12: true),
        suite("AES256-SHA", kx: "RSA", auth: "RSA", enc: ["AES256", "AES"], mac: "SHA1", tls12: false),
        suite("AES128-SHA", kx: "RSA", auth: "RSA", enc: ["AES128", "AES"], mac: "SHA1", tls12: false),
        suite("PSK-AES256-CBC-SHA", kx: "PSK", auth: "PSK", enc: ["AES256", "AES"], mac: "SHA1", tls12: false),
        suite("PSK-AES128-CBC-SHA", kx: "PSK", auth: "PSK", enc: ["AES128", "AES"], mac: "SHA1", tls12: false),
        suite("DES-CBC3-SHA", kx: "RSA", auth: "RSA", enc: ["3DES"], mac: "SHA1", tls12: false),
    ]

    private static func suite(_ name: String, kx: String, auth: String, enc: [String], mac: String, tls12: Bool) -> Suite {
        var tags: Set<String> = [name, "ALL", "DEFAULT"]
        switch kx {
        case "ECDHE": tags.formUnion(["kECDHE", "kEECDH", "ECDH", "ECDHE", "EECDH"])
        case "RSA": tags.insert("kRSA")
        default: tags.insert("kPSK")
        }
        switch auth {
        case "ECDSA": tags.formUnion(["aECDSA", "ECDSA"])
        case "RSA": tags.insert("aRSA")
        default: tags.insert("aPSK")
        }
        if kx == "RSA" { tags.insert("RSA") }
        if kx == "PSK" || auth == "PSK" { tags.insert("PSK") }
        tags.formUnion(enc)
        if mac == "SHA1" { tags.formUnion(["SHA1", "SHA"]) }
        if mac == "SHA256" { tags.insert("SHA256") }
        tags.formUnion(tls12 ? ["TLSv1.2"] : ["TLSv1", "SSLv3"])
        if !enc.contains("3DES") { tags.insert("HIGH") }
        if enc.contains("AES") && auth != "PSK" { tags.insert("FIPS") }
        return Suite(name: name, tags: tags)
    }

    /// Words common in OpenSSL lists ("HIGH:!aNULL:!MD5") for algorithms BoringSSL does not have: they match nothing.
    static let absentAlgorithms: Set<String> = [
        "aNULL", "eNULL", "NULL", "MD5", "RC4", "EXP", "EXPORT", "LOW", "MEDIUM", "DES", "DSS", "aDSS",
        "DH", "DHE", "EDH", "kEDH", "kDHE", "ADH", "AECDH", "SEED", "IDEA", "CAMELLIA", "ARIA", "SRP", "kSRP",
        "aGOST", "kGOST", "GOST94", "GOST89MAC", "SSLv2", "CCM", "AESCCM", "AESCCM8", "COMPLEMENTOFALL", "COMPLEMENTOFDEFAULT",
    ]

    static let knownWords: Set<String> = suites.reduce(into: absentAlgorithms) { $0.formUnion($1.tags) }

    /// The explicit, colon-separated list to give BoringSSL; throws naming the first unusable word.
    static func resolve(_ spec: String) throws(SMTPConfigurationError) -> String {
        func problem(_ text: String) -> SMTPConfigurationError {
            SMTPConfigurationError(variable: "SMTP_CIPHER_SPEC", problem: text)
        }
        var active: [String] = []
        var banned: Set<String> = []
        let words = spec.split(whereSeparator: { $0 == ":" || $0 == "," || $0 == " " }).map(String.init)
        for word in words {
            if word.uppercased() == "@STRENGTH" { continue }
            var operation: Character = " "
            var body = Substring(word)
            if let first = body.first, "!-+".contains(first) {
                operation = first
                body = body.dropFirst()
            }
            let terms = body.split(separator: "+").map(String.init)
            guard !terms.isEmpty else { throw problem("empty rule in \"\(spec)\"") }
            for term in terms where !knownWords.contains(term) {
                if term.hasPrefix("TLS_") {
                    throw problem("\(term) is a TLS 1.3 suite, which cannot be chosen; set SMTP_CIPHER_SPEC=TLSv1.3 to require TLS 1.3")
                }
                throw problem("must be TLSv1.2, TLSv1.3 or an OpenSSL cipher list; \"\(term)\" is not a cipher or alias this TLS library knows (for example ECDHE-RSA-AES128-GCM-SHA256, ECDHE+AESGCM, HIGH)")
            }
            let matching = suites.filter { suite in terms.allSatisfy { suite.tags.contains($0) } }.map(\.name)
            switch operation {
            case "!":
                banned.formUnion(matching)
                active.removeAll { matching.contains($0) }
            case "-":
                active.removeAll { matching.contains($0) }
            case "+":
                let moved = active.filter { matching.contains($0) }
                active.removeAll { matching.contains($0) }
                active.append(contentsOf: moved)
            default:
                for name in matching where !banned.contains(name) && !active.contains(name) { active.append(name) }
            }
        }
        // PSK suites never negotiate without a pre-shared key: a list of only those is empty in practice.
        guard active.contains(where: { !($0.hasPrefix("PSK-") || $0.hasPrefix("ECDHE-PSK-")) }) else {
            throw problem("\"\(spec)\" selects no usable cipher; use TLSv1.2, TLSv1.3 or a list such as ECDHE+AESGCM:ECDHE+CHACHA20")
        }
        return active.joined(separator: ":")
    }
}
