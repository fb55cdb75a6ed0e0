// Address and endpoint text (analyzer/core/ip_address): IPv4 is formatted by hand on the hot
// path of analysis and import, so it is checked against inet_ntop.

#include <QtTest>

#include <arpa/inet.h>

#include <random>

#include "core/ip_address.hpp"

using namespace sipscope::analyzer;

class TestIpAddress : public QObject {
    Q_OBJECT

  private slots:
    void ipv4MatchesInetNtop();
    void endpoints();
};

void TestIpAddress::ipv4MatchesInetNtop() {
    std::mt19937 rng(7);
    std::vector<std::array<std::uint8_t, 4>> cases = {
        {0, 0, 0, 0}, {255, 255, 255, 255}, {10, 0, 0, 1}, {192, 0, 2, 100}, {1, 20, 100, 9}};
    for (unsigned v = 0; v < 256; ++v) {  // every octet's text, in every position
        const auto o = static_cast<std::uint8_t>(v), r = static_cast<std::uint8_t>(255 - v);
        cases.push_back({o, r, o, r});
        cases.push_back({r, o, r, o});
    }
    for (int i = 0; i < 2000; ++i)
        cases.push_back({static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng()),
                         static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng())});
    for (const auto& c : cases) {
        char want[INET_ADDRSTRLEN] = {};
        inet_ntop(AF_INET, c.data(), want, sizeof want);
        QCOMPARE(IpAddress::v4(c.data()).toString(), std::string(want));
    }
}

void TestIpAddress::endpoints() {
    const std::uint8_t v4[4] = {192, 0, 2, 1};
    QCOMPARE(endpointText(Endpoint{IpAddress::v4(v4), 5060}), std::string("192.0.2.1:5060"));
    QCOMPARE(endpointText(Endpoint{IpAddress::v4(v4), 0}), std::string("192.0.2.1:0"));
    QCOMPARE(endpointText(Endpoint{IpAddress::v4(v4), 65535}), std::string("192.0.2.1:65535"));
    const std::uint8_t longest[4] = {255, 255, 255, 255};
    QCOMPARE(endpointText(Endpoint{IpAddress::v4(longest), 65535}),
             std::string("255.255.255.255:65535"));
    std::uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
    v6[15] = 1;
    QCOMPARE(IpAddress::v6(v6).toString(), std::string("2001:db8::1"));
    QCOMPARE(endpointText(Endpoint{IpAddress::v6(v6), 5061}), std::string("[2001:db8::1]:5061"));
    QCOMPARE(IpAddress{}.toString(), std::string());
}

QTEST_APPLESS_MAIN(TestIpAddress)
#include "tst_ip_address.moc"
