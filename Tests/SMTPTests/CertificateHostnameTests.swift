import Testing
@testable import SMTP

@Suite struct CertificateHostnameTests {
    @Test func exactAndWildcardNamesMatch() {
        #expect(CertificateHostname.matches(host: "smtp.example.com", names: ["smtp.example.com"]))
        #expect(CertificateHostname.matches(host: "SMTP.Example.com.", names: ["smtp.example.com"]))
        #expect(CertificateHostname.matches(host: "smtp.example.com", names: ["*.example.com"]))
    }

    @Test func wildcardCoversExactlyOneLabel() {
        #expect(!CertificateHostname.matches(host: "example.com", names: ["*.example.com"]))
        #expect(!CertificateHostname.matches(host: "a.smtp.example.com", names: ["*.example.com"]))
        #expect(!CertificateHostname.matches(host: "example.com", names: ["*.com"]))
        #expect(!CertificateHostname.matches(host: "evil-example.com", names: ["example.com"]))
        #expect(!CertificateHostname.matches(host: "smtp.example.com", names: []))
    }
}
