extension MustacheLibrary {
    /// The names a template reads (variables, sections, dynamic partial names), as written in
    /// its tags, in order of first use, following the partials and parents it includes by a
    /// fixed name. Names inside a section are relative to it, as Mustache resolves them.
    /// For catalogs and documentation: what data a template expects.
    public func variableNames(of name: String) -> [String] {
        var collector = VariableCollector(library: self)
        collector.visit(template: name)
        return collector.names
    }
}

private struct VariableCollector {
    let library: MustacheLibrary
    var names: [String] = []
    private var seen: Set<String> = []
    private var visitedTemplates: Set<String> = []

    init(library: MustacheLibrary) {
        self.library = library
    }

    mutating func visit(template name: String) {
        guard visitedTemplates.insert(name).inserted, let template = library[name] else { return }
        visit(template.nodes)
    }

    private mutating func visit(_ nodes: [Node]) {
        for node in nodes {
            switch node {
            case .text:
                continue
            case .variable(let name, _):
                note(name)
            case .section(let name, let children, _):
                note(name)
                visit(children)
            case .partial(let target, _):
                visit(target)
            case .parent(let target, _, let arguments):
                visit(target)
                for key in arguments.keys.sorted() { visit(arguments[key]!) }
            case .block(_, let defaults, _):
                visit(defaults)
            }
        }
    }

    private mutating func visit(_ target: PartialTarget) {
        switch target {
        case .fixed(let name): visit(template: name)
        case .dynamic(let name): note(name)
        }
    }

    private mutating func note(_ name: Name) {
        guard !name.isImplicitIterator, seen.insert(name.raw).inserted else { return }
        names.append(name.raw)
    }
}
