/// A parsed template. Parse once (at load), render many times; values are immutable and
/// safe to share between tasks.
public struct MustacheTemplate: Sendable {
    /// Used in parse error messages; `MustacheLibrary(directory:)` uses the file name.
    public let name: String
    let nodes: [Node]

    public init(source: String, name: String = "template") throws(MustacheParseError) {
        self.name = name
        self.nodes = try Parser.parse(source, name: name)
    }
}

extension MustacheTemplate {
    /// Renders against `context`. Never fails: missing names render as empty text and are
    /// reported in `missingVariables`; unknown partials render as nothing.
    public func render(_ context: MustacheValue, partials: MustacheLibrary = MustacheLibrary(), escaping: MustacheEscaping = .html) -> MustacheRenderResult {
        var renderer = Renderer(context: context, library: partials, escaping: escaping)
        renderer.render(nodes)
        return renderer.finish()
    }
}
