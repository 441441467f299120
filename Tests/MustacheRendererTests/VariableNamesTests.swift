import Testing
@testable import MustacheRenderer

@Suite struct VariableNamesTests {
    @Test func namesFollowPartialsAndParentsOnceEach() throws {
        var library = MustacheLibrary()
        library.register(try MustacheTemplate(source: "<h1>{{$title}}{{site}}{{/title}}</h1>{{$body}}{{/body}}{{> footer}}"), named: "layout")
        library.register(try MustacheTemplate(source: "{{site}} {{year}}{{> footer}}"), named: "footer")
        library.register(try MustacheTemplate(source: """
            {{<layout}}{{$body}}Hi {{user.name}}{{#items}}{{.}} {{price}}{{/items}}{{^items}}none{{/items}}{{>*kind}}{{/body}}{{/layout}}
            """), named: "page")
        #expect(library.variableNames(of: "page") == ["site", "year", "user.name", "items", "price", "kind"])
        #expect(library.variableNames(of: "missing") == [])
    }
}
