/// Prints doubles the way JSON serialisers (JavaScript's `Number#toString`) do:
/// shortest round-trip digits, integral values without a fraction, and exponent
/// notation only for very large or very small magnitudes.
enum NumberFormatting {
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return "0" }  // also turns -0.0 into "0" like JavaScript
        if value.rounded() == value, abs(value) < 1e15 {
            return String(Int64(value))
        }
        // Swift's description already yields the shortest round-trip digits; only the
        // switch-over points to exponent notation differ from JavaScript's.
        let text = value.description
        guard let eIndex = text.firstIndex(where: { $0 == "e" || $0 == "E" }),
              let exponent = Int(text[text.index(after: eIndex)...])
        else { return text }
        guard exponent >= -7, exponent < 21 else { return text }
        var mantissa = Substring(text[..<eIndex])
        var negative = false
        if mantissa.first == "-" {
            negative = true
            mantissa = mantissa.dropFirst()
        }
        let pointOffset = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var digits = mantissa.filter { $0 != "." }
        // Trailing zeros in the mantissa ("1.0e-05") carry no information.
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let point = pointOffset + exponent
        var result = negative ? "-" : ""
        if point <= 0 {
            result += "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            result += digits + String(repeating: "0", count: point - digits.count)
        } else {
            let split = digits.index(digits.startIndex, offsetBy: point)
            result += digits[..<split] + "." + digits[split...]
        }
        return result
    }
}
