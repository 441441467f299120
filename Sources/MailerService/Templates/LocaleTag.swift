/// A language tag such as `de`, `pt-BR` or `zh-Hant-TW` (the BCP 47 shape, without its rarer parts).
///
/// Folders and requests write tags in many ways (`pt_BR`, `PT-br`); they all compare equal here
/// and print in the usual casing, so `templates/verification/pt_BR/` answers a request for `pt-br`.
public struct LocaleTag: Sendable, Hashable, CustomStringConvertible {
    /// Language, script (4 letters, title case), region (2 letters upper case or 3 digits), variants.
    public let subtags: [String]

    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "_", omittingEmptySubsequences: false) }
        guard text.count <= 35, let language = parts.first,
              (2...3).contains(language.count), language.allSatisfy({ $0.isASCII && $0.isLetter })
        else { return nil }
        var subtags = [language.lowercased()]
        for part in parts.dropFirst() {
            guard (1...8).contains(part.count), part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
            switch (part.count, part.allSatisfy(\.isLetter)) {
            case (4, true): subtags.append(part.prefix(1).uppercased() + part.dropFirst().lowercased())
            case (2, true): subtags.append(part.uppercased())
            default: subtags.append(part.lowercased())
            }
        }
        self.subtags = subtags
    }

    public var description: String { subtags.joined(separator: "-") }

    /// This tag, then each shorter one: `zh-Hant-TW`, `zh-Hant`, `zh`.
    public var fallbacks: [LocaleTag] {
        (1...subtags.count).reversed().map { LocaleTag(subtags: Array(subtags.prefix($0))) }
    }

    private init(subtags: [String]) { self.subtags = subtags }

    static let example = "a language tag such as \"de\" or \"pt-BR\""
}

extension LocaleTag {
    public static let english = LocaleTag("en")!
}
