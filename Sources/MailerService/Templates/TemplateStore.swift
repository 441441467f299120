import Synchronization

/// The catalog in use. A reload swaps the whole catalog at once, so a request renders against
/// either the old set or the new one, never a mix, and requests in flight are not disturbed.
public final class TemplateStore: Sendable {
    private let current: Mutex<EmailTemplateCatalog>

    public init(_ catalog: EmailTemplateCatalog) {
        current = Mutex(catalog)
    }

    public var catalog: EmailTemplateCatalog {
        current.withLock { $0 }
    }

    /// Parses the templates folder again. When anything is wrong, the catalog in use stays and
    /// the error says what to fix: a typo in production must not take the emails down.
    @discardableResult
    public func reload() throws(TemplateCatalogError) -> EmailTemplateCatalog {
        let old = catalog
        let fresh = try EmailTemplateCatalog(directory: old.directory, defaultLocale: old.defaultLocale)
        current.withLock { $0 = fresh }
        return fresh
    }
}
