/// Turns template source into the `Node` tree that rendering walks.
///
/// Stages: tokenize → match open/close tags → apply whitespace rules → build a tree →
/// strip intrinsic indentation from argument blocks → merge adjacent literal text.
/// All of this happens once per template; rendering does no text analysis.
enum Parser {
    /// Deeper nesting is refused so that rendering (which recurses per level) stays far from the stack limit.
    static let maximumNesting = 256

    static func parse(_ source: String, name: String) throws(MustacheParseError) -> [Node] {
        let bytes = Array(source.utf8)
        let tokens = try Tokenizer.tokenize(bytes, templateName: name)
        let (partner, enclosing) = try matchElements(tokens, source: bytes, name: name)
        let whitespace = StandaloneLines(tokens: tokens, partner: partner, enclosing: enclosing)
        let tree = buildTree(tokens, whitespace: whitespace)
        return ParsedNode.compile(ParsedNode.applyIntrinsicIndentation(tree))
    }

    /// Pairs every element start tag with its closing tag and records each tag's enclosing
    /// start tag. This is where structural errors are found.
    private static func matchElements(_ tokens: [Token], source: [UInt8], name: String) throws(MustacheParseError) -> (partner: [Int], enclosing: [Int]) {
        var partner = Array(repeating: -1, count: tokens.count)
        var enclosing = Array(repeating: -1, count: tokens.count)
        var open: [Int] = []
        for (i, token) in tokens.enumerated() {
            enclosing[i] = open.last ?? -1
            if token.opensElement {
                if open.count >= maximumNesting {
                    throw MustacheParseError(templateName: name, source: source, offset: token.offset,
                                             message: "sections nested more than \(maximumNesting) levels deep")
                }
                open.append(i)
            } else if token.kind == .close {
                let written = token.delimiters.spell("/" + token.content)
                guard let opener = open.popLast() else {
                    throw MustacheParseError(templateName: name, source: source, offset: token.offset,
                                             message: "unexpected closing tag \(written): no section is open")
                }
                let expected = tokens[opener].closingName
                guard expected == token.content else {
                    let position = MustacheParseError(templateName: name, source: source, offset: tokens[opener].offset, message: "")
                    throw MustacheParseError(templateName: name, source: source, offset: token.offset,
                                             message: "mismatched closing tag \(written) (expected \(token.delimiters.spell("/" + expected)) to close \(describe(tokens[opener])) opened at \(position.line):\(position.column))")
                }
                partner[opener] = i
                partner[i] = opener
            }
        }
        if let opener = open.last {
            let token = tokens[opener]
            let expected = token.closingName
            throw MustacheParseError(templateName: name, source: source, offset: token.offset,
                                     message: "unclosed \(describe(token)) (expected \(token.delimiters.spell("/" + expected)))")
        }
        return (partner, enclosing)
    }

    private static func describe(_ token: Token) -> String {
        switch token.kind {
        case .invertedSection: return "inverted section '\(token.closingName)'"
        case .parent: return "parent '\(token.closingName)'"
        case .block: return "block '\(token.closingName)'"
        default: return "section '\(token.closingName)'"
        }
    }

    private struct Frame {
        let opener: Int
        let isParent: Bool
        var children: [ParsedNode] = []
        var arguments: [ParsedNode.Argument] = []
    }

    private static func buildTree(_ tokens: [Token], whitespace: StandaloneLines) -> [ParsedNode] {
        var stack = [Frame(opener: -1, isParent: false)]

        func append(_ node: ParsedNode) {
            // Only blocks matter inside a parent tag; anything else there is ignored by design.
            if stack[stack.count - 1].isParent { return }
            stack[stack.count - 1].children.append(node)
        }

        for (i, token) in tokens.enumerated() where !whitespace.removed[i] {
            switch token.kind {
            case .text:
                let atLineStart = i == 0 || tokens[i - 1].kind == .newline
                append(.text(token.content, atLineStart: atLineStart))
            case .newline:
                append(.newline(token.content))
            case .variable(let escaped):
                append(.variable(Name(token.content), escaped: escaped))
            case .comment, .setDelimiters:
                break
            case .partial(let dynamic):
                append(.partial(target(token.content, dynamic: dynamic), indentation: whitespace.indentation[i] ?? ""))
            case .section, .invertedSection, .block:
                stack.append(Frame(opener: i, isParent: false))
            case .parent:
                stack.append(Frame(opener: i, isParent: true))
            case .close:
                // Matching already succeeded, so the stack has a frame for this tag.
                guard stack.count > 1, let frame = stack.popLast() else { continue }
                let opener = tokens[frame.opener]
                switch opener.kind {
                case .section:
                    append(.section(Name(opener.content), frame.children, inverted: false))
                case .invertedSection:
                    append(.section(Name(opener.content), frame.children, inverted: true))
                case .parent(let dynamic):
                    append(.parent(target(opener.content, dynamic: dynamic),
                                   indentation: whitespace.indentation[frame.opener] ?? "",
                                   arguments: frame.arguments))
                case .block:
                    if stack[stack.count - 1].isParent {
                        stack[stack.count - 1].arguments.append(
                            ParsedNode.Argument(name: opener.content, children: frame.children,
                                                intrinsicIndentation: whitespace.intrinsic[frame.opener] ?? ""))
                    } else {
                        append(.block(opener.content, defaults: frame.children,
                                      argumentIndentation: whitespace.blockIndentation[frame.opener]))
                    }
                default:
                    break
                }
            }
        }
        return stack[0].children
    }

    private static func target(_ name: String, dynamic: Bool) -> PartialTarget {
        dynamic ? .dynamic(Name(name)) : .fixed(name)
    }
}
