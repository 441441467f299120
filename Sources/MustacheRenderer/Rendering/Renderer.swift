/// Walks a `Node` tree once, appending everything as UTF-8 bytes into a single buffer
/// that becomes the output string at the end.
/// Stops at the first bound of `MustacheRenderLimits` reached, and reports it: a truncated
/// email must never be sent as if it were whole.
struct Renderer {
    /// The output so far, as UTF-8. Reserved up front so typical emails never regrow it.
    private var output = ByteBuffer(capacity: Renderer.initialCapacity)
    /// The context stack; lookups search it from the top (last) down.
    private var stack: [MustacheValue]
    private let library: MustacheLibrary
    private let escaping: MustacheEscaping
    private let limits: MustacheRenderLimits

    /// Concatenated indentation of the standalone partials/blocks being expanded.
    private var indentation = ""
    /// True when the next output starts a template line and so must be indented first.
    private var atLineStart = false
    /// Arguments from inheriting templates, by block name. Outer templates win.
    private var overrides: [String: [Node]] = [:]
    private var depth = 0
    private var nesting = 0
    private var steps = 0
    private var limitReached: MustacheRenderLimitReached?

    private var missing: [String] = []
    private var missingSeen: Set<String> = []

    init(context: MustacheValue, library: MustacheLibrary, escaping: MustacheEscaping, limits: MustacheRenderLimits) {
        stack = [context]
        self.library = library
        self.escaping = escaping
        self.limits = limits
    }

    /// Enough for most emails; larger outputs grow the buffer geometrically.
    static let initialCapacity = 8192

    /// The result; frees the output buffer, so call it once, last.
    mutating func finish() -> MustacheRenderResult {
        // The last node's append is only measured here.
        if output.count > limits.maximumOutputBytes { stop(.outputBytes(limits.maximumOutputBytes)) }
        return MustacheRenderResult(output: output.takeString(), missingVariables: missing, limitReached: limitReached)
    }

    /// Keeps the first bound reached: the later ones are its consequences.
    private mutating func stop(_ limit: MustacheRenderLimitReached) {
        if limitReached == nil { limitReached = limit }
    }

    /// Counts one step; false once the render has stopped, at this step's bound or another.
    @discardableResult
    private mutating func step() -> Bool {
        steps += 1
        if steps > limits.maximumSteps { stop(.steps(limits.maximumSteps)) }
        return limitReached == nil
    }

    mutating func render(_ nodes: [Node]) {
        // Indexing (rather than iterating) lets the optimiser borrow each node's payload
        // instead of retaining and releasing it.
        for index in nodes.indices {
            step()
            if output.count > limits.maximumOutputBytes { stop(.outputBytes(limits.maximumOutputBytes)) }
            if limitReached != nil { return }
            switch nodes[index] {
            case .text(let chunk):
                appendTemplateText(chunk)
            case .variable(let name, let escaped):
                guard let value = lookup(name) else {
                    reportMissing(name.raw)
                    continue
                }
                if case .string(let text) = value {
                    appendValue(text, escaped: escaped && escaping == .html)
                } else {
                    appendValue(value.renderedText, escaped: escaped && escaping == .html)
                }
            case .section(let name, let children, let inverted):
                renderSection(name, children, inverted: inverted)
            case .partial(let target, let indentation):
                guard let template = resolve(target) else { continue }
                expand(template.nodes, indentation: indentation, startsAtLineStart: true)
            case .parent(let target, let indentation, let arguments):
                guard let template = resolve(target) else { continue }
                // The outermost template's arguments take precedence over those nearer the parent.
                var merged = arguments
                for (name, nodes) in overrides { merged[name] = nodes }
                let saved = overrides
                overrides = merged
                expand(template.nodes, indentation: indentation, startsAtLineStart: true)
                overrides = saved
            case .block(let name, let defaults, let argumentIndentation):
                if let argument = overrides[name] {
                    expand(argument, indentation: argumentIndentation?.indentation ?? "",
                           startsAtLineStart: argumentIndentation?.startsAtLineStart ?? false)
                } else {
                    render(defaults)
                }
            }
        }
    }

    private mutating func renderSection(_ name: Name, _ children: [Node], inverted: Bool) {
        let value = lookup(name)
        if value == nil { reportMissing(name.raw) }
        let resolved = value ?? .null
        // An inverted section renders once for a falsey value; a section, for a truthy one.
        if resolved.isFalsey != inverted { return }
        guard nesting < limits.maximumNesting else { return stop(.nesting(limits.maximumNesting)) }
        nesting += 1
        defer { nesting -= 1 }
        if inverted {
            render(children)
        } else if case .array(let items) = resolved {
            for item in items {
                // Counted even when the body renders nothing: the innermost loop of nested
                // sections multiplies the work by its list's length all the same.
                guard step() else { break }
                stack.append(item)
                render(children)
                stack.removeLast()
            }
        } else {
            stack.append(resolved)
            render(children)
            stack.removeLast()
        }
    }

    /// Renders another template's nodes (or an argument) with extra indentation.
    private mutating func expand(_ nodes: [Node], indentation extra: String, startsAtLineStart: Bool) {
        guard depth < limits.maximumExpansionDepth else { return stop(.expansionDepth(limits.maximumExpansionDepth)) }
        guard nesting < limits.maximumNesting else { return stop(.nesting(limits.maximumNesting)) }
        depth += 1
        nesting += 1
        defer { nesting -= 1 }
        let savedIndentation = indentation
        if !extra.isEmpty {
            // Appending copies the whole indentation (the saved copy shares its storage): deep
            // indentation makes each expansion dearer, so it costs steps in proportion.
            steps += (indentation.utf8.count + extra.utf8.count) / 64
            indentation += extra
            atLineStart = startsAtLineStart
        }
        render(nodes)
        indentation = savedIndentation
        depth -= 1
    }

    private mutating func resolve(_ target: PartialTarget) -> MustacheTemplate? {
        switch target {
        case .fixed(let name):
            return library[name]
        case .dynamic(let name):
            guard let value = lookup(name) else {
                reportMissing(name.raw)
                return nil
            }
            guard case .string(let partialName) = value else { return nil }
            return library[partialName]
        }
    }

    /// Resolves a name against the context stack: the first frame holding the first
    /// component wins, and the remaining components must resolve inside that value.
    /// Each frame searched counts as a step: deep stacks make every lookup dearer.
    private mutating func lookup(_ name: Name) -> MustacheValue? {
        guard let first = name.parts.first else { return stack.last }
        var found: MustacheValue?
        var frame = stack.count
        while frame > 0 {
            frame -= 1
            if case .object(let members) = stack[frame], let value = Self.member(first, of: members) {
                found = value
                break
            }
        }
        steps += stack.count - frame
        guard var current = found else { return nil }
        for part in name.parts.dropFirst() {
            guard case .object(let members) = current, let value = Self.member(part, of: members) else { return nil }
            current = value
        }
        return current
    }

    /// Objects up to this size are searched by comparing keys instead of hashing.
    static let linearSearchLimit = 12

    /// `members[key]`, faster for the small objects templates usually get: hashing a
    /// key (SipHash) costs more than comparing it with a dozen keys, which for short
    /// ASCII keys (stored inline in the `String`) is a two-word comparison each.
    @inline(__always)
    private static func member(_ key: String, of members: [String: MustacheValue]) -> MustacheValue? {
        guard members.count <= linearSearchLimit else { return members[key] }
        let keyLength = key.utf8.count
        let keys = members.keys
        var index = keys.startIndex
        let end = keys.endIndex
        while index != end {
            // Comparing lengths first (stored in the string, O(1)) skips most full comparisons.
            let candidate = keys[index]
            if candidate.utf8.count == keyLength, candidate == key { return members.values[index] }
            keys.formIndex(after: &index)
        }
        return nil
    }

    private mutating func reportMissing(_ name: String) {
        if missingSeen.insert(name).inserted { missing.append(name) }
    }

    private mutating func appendTemplateText(_ chunk: TextChunk) {
        if indentation.isEmpty {
            output.append(chunk.bytes)
            return
        }
        // Inside an indented expansion every template line gets the indentation;
        // newlines coming from data do not (they are appended by appendValue).
        chunk.bytes.withUnsafeBufferPointer { bytes in
            for line in chunk.lines {
                // Indentation multiplies a chunk's size by the nesting, so the bound is checked per line.
                if output.count > limits.maximumOutputBytes { return }
                if atLineStart { output.append(indentation) }
                output.append(UnsafeBufferPointer(rebasing: bytes[line]))
                atLineStart = bytes[line.upperBound - 1] == 0x0A
            }
        }
    }

    private mutating func appendValue(_ text: String, escaped: Bool) {
        if text.isEmpty { return }
        if atLineStart && !indentation.isEmpty { output.append(indentation) }
        atLineStart = false
        if escaped {
            output.appendHTMLEscaped(text)
        } else {
            output.append(text)
        }
    }
}
