/// Applies Mustache's whitespace rules to a token list.
///
/// Everything is decided from the raw token list (before anything is removed), so the
/// order in which rules are applied cannot change the outcome:
///
/// * A tag that is the only non-whitespace on its line (and is not an interpolation) is
///   *standalone*: its indentation, trailing whitespace and line end are dropped.
/// * A parent element `{{<p}}…{{/p}}` whose start tag has only whitespace before it and whose
///   end tag has only whitespace after it is standalone as a pair, even on one line.
/// * Blocks passed to a parent (argument blocks) ignore what precedes their start tag, and a
///   start tag at the end of its line takes that line end with it. Their *intrinsic
///   indentation* is the leading whitespace of the line after such a start tag.
/// * A block outside a parent that is standalone as a pair gives an overriding argument
///   its own indentation (the intrinsic one, or the whitespace before the start tag).
struct StandaloneLines {
    private let tokens: [Token]
    private let partner: [Int]
    private let enclosing: [Int]

    /// Whitespace text and line ends that the rules drop from the output.
    private(set) var removed: [Bool]
    /// Indentation for standalone partial and parent tags, keyed by token index.
    private(set) var indentation: [Int: String] = [:]
    /// Intrinsic indentation of argument blocks, keyed by the start tag's index.
    private(set) var intrinsic: [Int: String] = [:]
    /// How overriding arguments are indented, for standalone blocks outside parents.
    private(set) var blockIndentation: [Int: BlockIndentation] = [:]

    private var lineOfToken: [Int] = []
    private var lineStart: [Int] = []
    /// Index of the token ending each line: its newline, or `tokens.count` on the last line.
    private var lineEnd: [Int] = []
    private var firstSolid: [Int] = []
    private var lastSolid: [Int] = []

    init(tokens: [Token], partner: [Int], enclosing: [Int]) {
        self.tokens = tokens
        self.partner = partner
        self.enclosing = enclosing
        removed = Array(repeating: false, count: tokens.count)
        indexLines()
        applyRules()
    }

    private mutating func indexLines() {
        lineOfToken.reserveCapacity(tokens.count)
        var start = 0
        var first = -1
        var last = -1
        for (i, token) in tokens.enumerated() {
            lineOfToken.append(lineStart.count)
            if token.kind == .newline {
                lineStart.append(start); lineEnd.append(i); firstSolid.append(first); lastSolid.append(last)
                start = i + 1; first = -1; last = -1
            } else if !token.isWhitespaceText {
                if first < 0 { first = i }
                last = i
            }
        }
        lineStart.append(start); lineEnd.append(tokens.count); firstSolid.append(first); lastSolid.append(last)
    }

    private func clearLeft(_ i: Int) -> Bool { firstSolid[lineOfToken[i]] == i }
    private func clearRight(_ i: Int) -> Bool { lastSolid[lineOfToken[i]] == i }

    /// The whitespace before a tag that has nothing else before it on its line.
    private func leadingWhitespace(_ i: Int) -> String {
        guard clearLeft(i), i > lineStart[lineOfToken[i]], tokens[i - 1].kind == .text else { return "" }
        return tokens[i - 1].content
    }

    private mutating func removeLeading(_ i: Int) {
        if i > lineStart[lineOfToken[i]], tokens[i - 1].isWhitespaceText { removed[i - 1] = true }
    }

    private mutating func removeTrailing(_ i: Int) {
        let line = lineOfToken[i]
        var k = i + 1
        while k < lineEnd[line] {
            if tokens[k].isWhitespaceText { removed[k] = true }
            k += 1
        }
        if lineEnd[line] < tokens.count { removed[lineEnd[line]] = true }
    }

    /// Leading whitespace of the line after the one holding token `i`.
    private func indentationOfNextLine(_ i: Int) -> String {
        let next = lineOfToken[i] + 1
        guard next < lineStart.count else { return "" }
        let first = lineStart[next]
        guard first < tokens.count, tokens[first].kind == .text else { return "" }
        return String(tokens[first].content.prefix(while: { $0 == " " || $0 == "\t" }))
    }

    private func isArgument(_ i: Int) -> Bool {
        let outer = enclosing[i]
        guard outer >= 0, case .parent = tokens[outer].kind else { return false }
        return true
    }

    private mutating func applyRules() {
        for (i, token) in tokens.enumerated() where token.canStandAlone {
            if clearLeft(i) && clearRight(i) {
                removeLeading(i)
                removeTrailing(i)
                switch token.kind {
                case .partial, .parent: indentation[i] = leadingWhitespace(i)
                default: break
                }
            }
            switch token.kind {
            case .parent:
                let end = partner[i]
                if end >= 0, clearLeft(i), clearRight(end) {
                    indentation[i] = leadingWhitespace(i)
                    removeLeading(i)
                    removeTrailing(end)
                }
            case .block where isArgument(i):
                if clearRight(i) {
                    removeTrailing(i)
                    intrinsic[i] = indentationOfNextLine(i)
                }
                let end = partner[i]
                if end >= 0, clearLeft(end) { removeLeading(end) }
            case .block:
                let end = partner[i]
                if end >= 0, clearLeft(i), clearRight(end) {
                    if clearRight(i) {
                        blockIndentation[i] = BlockIndentation(indentation: indentationOfNextLine(i), startsAtLineStart: true)
                    } else {
                        blockIndentation[i] = BlockIndentation(indentation: leadingWhitespace(i), startsAtLineStart: false)
                    }
                }
            default:
                break
            }
        }
    }
}
