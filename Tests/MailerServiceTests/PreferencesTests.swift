import HTTPTypes
import Testing
@testable import MailerService

@Suite struct PreferencesTests {
    private func parse(_ values: String...) -> Preferences {
        var headers = HTTPFields()
        for value in values { headers.append(HTTPField(name: .prefer, value: value)) }
        return Preferences(headers)
    }

    @Test func waitAndLenientAreRead() {
        #expect(parse("wait=10").wait == 10)
        #expect(parse("respond-async, wait=5", "lenient").wait == 5)
        #expect(parse("lenient").lenient)
        #expect(parse("handling=strict").wait == nil)
    }

    @Test func waitIsCappedEvenBeyondIntRange() {
        #expect(parse("wait=99999999999999999999999").wait == Preferences.maximumWait)
        #expect(parse("wait=600").wait == Preferences.maximumWait)
        #expect(parse("wait=-1").wait == nil)
        #expect(parse("wait=abc").wait == nil)
    }
}
