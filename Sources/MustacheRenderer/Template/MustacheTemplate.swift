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
    /// Renders against `context`. Never throws: missing names render as empty text and are
    /// reported in `missingVariables`; unknown partials render as nothing; a render that
    /// reaches one of `limits` stops and reports it in `limitReached`.
    public func render(_ context: MustacheValue, partials: MustacheLibrary = MustacheLibrary(), escaping: MustacheEscaping = .html,
                       limits: MustacheRenderLimits = .default) -> MustacheRenderResult {
        var renderer = Renderer(context: context, library: partials, escaping: escaping, limits: limits)
        renderer.render(nodes)
        return renderer.finish()
    }
}
