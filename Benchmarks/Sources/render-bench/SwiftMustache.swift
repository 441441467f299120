import Foundation
import Mustache

/// hummingbird-project/swift-mustache, with the template and partials parsed once up front.
struct SwiftMustacheRenderer {
    let template: MustacheTemplate
    let library: MustacheLibrary
    let context: Any

    init(templatePath: String, partialsDirectory: String?, data: Any) throws {
        let source = String(decoding: try Data(contentsOf: URL(fileURLWithPath: templatePath)), as: UTF8.self)
        template = try MustacheTemplate(string: source)
        var library = MustacheLibrary()
        if let partialsDirectory {
            // Same naming as ours: DIR/<name>.mustache registers <name> (which may contain dots).
            let suffix = ".mustache"
            for file in try FileManager.default.contentsOfDirectory(atPath: partialsDirectory).sorted()
            where file.hasSuffix(suffix) && file.count > suffix.count {
                let path = (partialsDirectory as NSString).appendingPathComponent(file)
                let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
                try library.register(text, named: String(file.dropLast(suffix.count)))
            }
        }
        self.library = library
        context = data
    }

    @inline(never)
    func render() -> String {
        template.render(context, library: library)
    }
}
