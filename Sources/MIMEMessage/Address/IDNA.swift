import Foundation

/// Internationalised domain names to their ASCII form for the SMTP envelope and headers
/// (`münchen.de` → `xn--mnchen-3ya.de`): lower-cased and NFC-normalised, then each non-ASCII
/// label Punycode-encoded (RFC 3492) with the `xn--` prefix (RFC 5891). ß and ς stay as they are,
/// as IDNA2008 and UTS 46 non-transitional processing do.
enum IDNA {
    /// Ideographic and fullwidth full stops separate labels too (UTS 46 maps them to ".").
    private static let labelSeparators: Set<Character> = [".", "\u{3002}", "\u{FF0E}", "\u{FF61}"]

    /// The ASCII form, or the reason the name cannot be one.
    static func toASCII(_ domain: String) -> Result<String, IDNAError> {
        let lowered = domain.lowercased()
        let normalized = lowered.utf8.allSatisfy { $0 < 0x80 } ? lowered : lowered.precomposedStringWithCanonicalMapping
        var labels: [String] = []
        for label in normalized.split(omittingEmptySubsequences: false, whereSeparator: { labelSeparators.contains($0) }) {
            if label.unicodeScalars.allSatisfy(\.isASCII) {
                labels.append(String(label))
                continue
            }
            for scalar in label.unicodeScalars where !scalar.isASCII {
                let properties = scalar.properties
                guard properties.isAlphabetic || properties.numericType != nil || properties.generalCategory == .nonspacingMark
                    || properties.generalCategory == .spacingMark else {
                    return .failure(IDNAError(reason: "contains \"\(scalar)\" (U+\(String(scalar.value, radix: 16, uppercase: true))), which is not allowed in a domain name"))
                }
            }
            guard let first = label.unicodeScalars.first, first.properties.generalCategory != .nonspacingMark else {
                return .failure(IDNAError(reason: "a label starts with a combining mark"))
            }
            labels.append("xn--" + Punycode.encode(Array(label.unicodeScalars)))
        }
        return .success(labels.joined(separator: "."))
    }
}

struct IDNAError: Error {
    let reason: String
}

/// RFC 3492 Punycode encoding (section 6.3), with the parameters of section 5.
enum Punycode {
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128

    static func encode(_ input: [Unicode.Scalar]) -> String {
        var output = String(String.UnicodeScalarView(input.filter(\.isASCII)))
        let basicCount = output.unicodeScalars.count
        var handled = basicCount
        if basicCount > 0 { output.append("-") }
        var n = initialN
        var delta = 0
        var bias = initialBias
        let codePoints = input.map { Int($0.value) }
        while handled < codePoints.count {
            let m = codePoints.filter { $0 >= n }.min()!
            delta += (m - n) * (handled + 1)
            n = m
            for c in codePoints {
                if c < n { delta += 1 }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta: delta, points: handled + 1, first: handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return output
    }

    private static func digit(_ value: Int) -> Character {
        Character(Unicode.Scalar(UInt8(value < 26 ? 97 + value : 22 + value)))
    }

    private static func adapt(delta: Int, points: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
