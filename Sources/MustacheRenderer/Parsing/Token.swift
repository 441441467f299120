/// One lexical piece of a template. Text is split at line ends so that the
/// standalone-line rules can reason about whole lines.
struct Token {
    enum Kind: Equatable {
        /// Literal text without any line break.
        case text
        /// "\n" or "\r\n".
        case newline
        case variable(escaped: Bool)
        case section
        case invertedSection
        case close
        case comment
        case partial(dynamic: Bool)
        case parent(dynamic: Bool)
        case block
        case setDelimiters
    }

    var kind: Kind
    /// The literal text for `.text`/`.newline`; the trimmed tag name for tags
    /// (without the `*` of dynamic names).
    var content: String
    /// UTF-8 offset of the token's first byte; used only to report errors.
    var offset: Int
    /// Delimiters in force when the tag was read, so errors can quote the tag the author must write.
    var delimiters: Delimiters

    var isTag: Bool {
        switch kind {
        case .text, .newline: return false
        default: return true
        }
    }

    /// Interpolations produce output, so they never make a line standalone.
    var canStandAlone: Bool {
        switch kind {
        case .text, .newline, .variable: return false
        default: return true
        }
    }

    /// Tags that open an element closed by a matching `{{/name}}`.
    var opensElement: Bool {
        switch kind {
        case .section, .invertedSection, .parent, .block: return true
        default: return false
        }
    }

    /// The name a closing tag must repeat; dynamic names keep their `*`.
    var closingName: String {
        switch kind {
        case .parent(dynamic: true), .partial(dynamic: true): return "*" + content
        default: return content
        }
    }

    var isWhitespaceText: Bool {
        kind == .text && content.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}

/// The opening and closing tag markers, `{{` and `}}` unless changed by `{{=<% %>=}}`.
struct Delimiters: Equatable {
    var open: [UInt8]
    var close: [UInt8]

    static let standard = Delimiters(open: Array("{{".utf8), close: Array("}}".utf8))

    var openText: String { String(decoding: open, as: UTF8.self) }
    var closeText: String { String(decoding: close, as: UTF8.self) }

    /// How a tag with the given body is written with these delimiters, for error messages.
    func spell(_ body: String) -> String { openText + body + closeText }
}
