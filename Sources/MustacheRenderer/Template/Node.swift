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

/// Literal template text, pre-split at line ends so indentation can be inserted
/// at render time without rescanning the text.
struct TextChunk: Sendable {
    let text: String
    /// `text` cut after every "\n"; each piece but possibly the last ends with "\n".
    let lines: [Substring]

    init(_ text: String) {
        self.text = text
        var pieces: [Substring] = []
        var start = text.startIndex
        var index = text.utf8.startIndex
        // "\n" is ASCII, so its UTF-8 index is always a valid character boundary to cut at.
        while index != text.utf8.endIndex {
            let next = text.utf8.index(after: index)
            if text.utf8[index] == 0x0A {
                pieces.append(text[start..<next])
                start = next
            }
            index = next
        }
        if start != text.endIndex { pieces.append(text[start...]) }
        lines = pieces
    }
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
