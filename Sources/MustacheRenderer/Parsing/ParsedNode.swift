/// The tree as first built from tokens, before argument blocks lose their intrinsic
/// indentation and before literal text is merged into `TextChunk`s.
indirect enum ParsedNode {
    struct Argument {
        var name: String
        var children: [ParsedNode]
        var intrinsicIndentation: String
    }

    /// Literal text from one source line; `atLineStart` marks text that begins a source line,
    /// the only place indentation can be stripped from.
    case text(String, atLineStart: Bool)
    case newline(String)
    case variable(Name, escaped: Bool)
    case section(Name, [ParsedNode], inverted: Bool)
    case partial(PartialTarget, indentation: String)
    case parent(PartialTarget, indentation: String, arguments: [Argument])
    case block(String, defaults: [ParsedNode], argumentIndentation: BlockIndentation?)

    /// Removes each argument block's intrinsic indentation from the start of its lines.
    ///
    /// Works outside-in: an enclosing argument's indentation is removed first (also from
    /// the recorded indentation of nested tags), so nested blocks end up indented
    /// relative to the block that surrounds them.
    static func applyIntrinsicIndentation(_ nodes: [ParsedNode]) -> [ParsedNode] {
        nodes.map { node in
            switch node {
            case .section(let name, let children, let inverted):
                return .section(name, applyIntrinsicIndentation(children), inverted: inverted)
            case .block(let name, let defaults, let indentation):
                return .block(name, defaults: applyIntrinsicIndentation(defaults), argumentIndentation: indentation)
            case .parent(let target, let indentation, let arguments):
                let adjusted = arguments.map { argument in
                    var argument = argument
                    let stripped = strip(argument.intrinsicIndentation, from: argument.children)
                    argument.children = applyIntrinsicIndentation(stripped)
                    argument.intrinsicIndentation = ""
                    return argument
                }
                return .parent(target, indentation: indentation, arguments: adjusted)
            default:
                return node
            }
        }
    }

    /// Drops `prefix` (or as much of it as is present) from every line start in `nodes`.
    private static func strip(_ prefix: String, from nodes: [ParsedNode]) -> [ParsedNode] {
        if prefix.isEmpty { return nodes }
        return nodes.map { node in
            switch node {
            case .text(let text, let atLineStart) where atLineStart:
                return .text(removeIndentation(prefix, from: text), atLineStart: true)
            case .section(let name, let children, let inverted):
                return .section(name, strip(prefix, from: children), inverted: inverted)
            case .partial(let target, let indentation):
                return .partial(target, indentation: removeIndentation(prefix, from: indentation))
            case .parent(let target, let indentation, let arguments):
                let adjusted = arguments.map { argument in
                    Argument(name: argument.name,
                             children: strip(prefix, from: argument.children),
                             intrinsicIndentation: removeIndentation(prefix, from: argument.intrinsicIndentation))
                }
                return .parent(target, indentation: removeIndentation(prefix, from: indentation), arguments: adjusted)
            case .block(let name, let defaults, let indentation):
                let adjusted = indentation.map {
                    BlockIndentation(indentation: removeIndentation(prefix, from: $0.indentation), startsAtLineStart: $0.startsAtLineStart)
                }
                return .block(name, defaults: strip(prefix, from: defaults), argumentIndentation: adjusted)
            default:
                return node
            }
        }
    }

    private static func removeIndentation(_ prefix: String, from text: String) -> String {
        var remaining = Substring(text)
        for character in prefix {
            guard remaining.first == character else { break }
            remaining = remaining.dropFirst()
        }
        return String(remaining)
    }

    /// Converts to the render tree, merging runs of text and line ends into single chunks.
    static func compile(_ nodes: [ParsedNode]) -> [Node] {
        var result: [Node] = []
        var pendingText = ""

        func flush() {
            if !pendingText.isEmpty {
                result.append(.text(TextChunk(pendingText)))
                pendingText = ""
            }
        }

        for node in nodes {
            switch node {
            case .text(let text, _): pendingText += text
            case .newline(let newline): pendingText += newline
            case .variable(let name, let escaped):
                flush(); result.append(.variable(name, escaped: escaped))
            case .section(let name, let children, let inverted):
                flush(); result.append(.section(name, compile(children), inverted: inverted))
            case .partial(let target, let indentation):
                flush(); result.append(.partial(target, indentation: indentation))
            case .parent(let target, let indentation, let arguments):
                flush()
                var compiled: [String: [Node]] = [:]
                // The first argument of a given name wins, matching where an author would look first.
                for argument in arguments where compiled[argument.name] == nil {
                    compiled[argument.name] = compile(argument.children)
                }
                result.append(.parent(target, indentation: indentation, arguments: compiled))
            case .block(let name, let defaults, let indentation):
                flush(); result.append(.block(name, defaults: compile(defaults), argumentIndentation: indentation))
            }
        }
        flush()
        return result
    }
}
