/// What `{{name}}` does to interpolated text. `{{{name}}}` and `{{&name}}` never escape.
public enum MustacheEscaping: Sendable {
    /// Replaces `& " < > '` with `&amp; &quot; &lt; &gt; &#39;` (for HTML bodies).
    case html
    /// Leaves text untouched (for plain-text bodies and subject lines).
    case none
}
