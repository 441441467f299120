import Foundation
import HTTPTypes

/// The RFC 7240 `Prefer` header preferences we honour.
struct Preferences: Equatable {
    /// `wait=N`: answer within N seconds with the outcome if it is known by then.
    var wait: Int?
    /// `lenient`: render missing template variables as empty instead of refusing.
    var lenient = false

    /// Long enough for slow providers, short enough not to tie up a caller's request forever.
    static let maximumWait = 120

    init(_ headers: HTTPFields) {
        for value in headers[values: .prefer] {
            for preference in value.split(separator: ",") {
                let parts = preference.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard let name = parts.first?.lowercased() else { continue }
                switch name {
                case "wait":
                    let digits = parts.count == 2 ? parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : ""
                    if !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) {
                        // Any longer number than Int holds is still "as long as you allow".
                        wait = min(Int(digits) ?? Self.maximumWait, Self.maximumWait)
                    }
                case "lenient":
                    lenient = true
                default:
                    continue
                }
            }
        }
    }
}

extension HTTPField.Name {
    static let prefer = HTTPField.Name("Prefer")!
    static let preferenceApplied = HTTPField.Name("Preference-Applied")!
}
