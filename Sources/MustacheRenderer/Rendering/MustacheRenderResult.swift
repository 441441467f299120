/// The rendered text plus the names that could not be resolved while rendering it.
public struct MustacheRenderResult: Sendable {
    public let output: String
    /// Dotted names (as written in the template) of interpolations, sections, inverted
    /// sections and dynamic partial names whose lookup found nothing, in order of first
    /// occurrence and without duplicates. A key that is present with a `null` value is
    /// not missing.
    public let missingVariables: [String]
    /// Set when rendering stopped at a bound of `MustacheRenderLimits`: `output` is then
    /// incomplete and must not be used as the rendered text.
    public let limitReached: MustacheRenderLimitReached?

    public init(output: String, missingVariables: [String], limitReached: MustacheRenderLimitReached? = nil) {
        self.output = output
        self.missingVariables = missingVariables
        self.limitReached = limitReached
    }
}
