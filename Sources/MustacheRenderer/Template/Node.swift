/// A parsed tag name such as `user.address.city` or the implicit iterator `.`.
struct Name: Sendable {
    /// The name as written, used when reporting missing variables.
    let raw: String
    /// Dot-separated components; empty for the implicit iterator.
    let parts: [String]

    init(_ raw: String) {
        self.raw = raw
        if raw == "." {
            parts = []
        } else {
            parts = raw.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        }
    }

    var isImplicitIterator: Bool { parts.isEmpty }
}

/// Which template a partial or parent tag expands.
enum PartialTarget: Sendable {
    /// `{{>name}}`: the name is fixed in the template.
    case fixed(String)
    /// `{{>*name}}`: the partial's name is a string looked up in the context.
    case dynamic(Name)
}

/// Literal template text, kept as UTF-8 bytes and pre-split at line ends so rendering
/// copies it in bulk and can insert indentation without rescanning the text.
struct TextChunk: Sendable {
    /// The text's UTF-8 bytes, appended to the output as they are.
    let bytes: [UInt8]
    /// `bytes` cut after every "\n": each range but possibly the last ends with "\n".
    let lines: [Range<Int>]

    init(_ text: String) {
        bytes = Array(text.utf8)
        var pieces: [Range<Int>] = []
        var start = 0
        for (offset, byte) in bytes.enumerated() where byte == 0x0A {
            pieces.append(start..<(offset + 1))
            start = offset + 1
        }
        if start != bytes.count { pieces.append(start..<bytes.count) }
        lines = pieces
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// The renderable form of a template: whitespace rules are already applied, so
/// rendering only walks this tree.
enum Node: Sendable {
    case text(TextChunk)
    case variable(Name, escaped: Bool)
    case section(Name, [Node], inverted: Bool)
    /// `indentation` is non-empty only for standalone partial tags.
    case partial(PartialTarget, indentation: String)
    /// `{{<parent}}` with the blocks it passes; text between them is ignored.
    case parent(PartialTarget, indentation: String, arguments: [String: [Node]])
    /// `{{$name}}` outside a parent: renders an argument passed by an inheriting
    /// template, else its own default content.
    case block(String, defaults: [Node], argumentIndentation: BlockIndentation?)
}

/// How an argument overriding a standalone block is indented at the block's site.
struct BlockIndentation: Sendable {
    let indentation: String
    /// True when the block's line was removed, so the argument starts at a fresh line;
    /// false when the indentation is already in the output as literal text.
    let startsAtLineStart: Bool
}
