// The capture pipeline against tshark's counts for every capture of the shared corpus
// (MANIFEST.tsv), and against the known content of the bundled example capture.

#include <QtTest>

#include <map>
#include <set>

#include "pipeline/capture_pipeline.hpp"
#include "test_util.hpp"

using namespace sipscope::analyzer;

namespace {

struct Counts {
    std::uint64_t packets = 0, messages = 0, requests = 0, responses = 0;
    std::set<std::string> callIds;
    std::map<std::string, int> methods;
    std::vector<ObservedMessage> all;
    std::string error;
};

Counts run(const QString& path, bool keep = false) {
    Counts c;
    std::string err;
    auto src = openCaptureFile(path.toStdString(), err);
    if (!src) {
        c.error = err;
        return c;
    }
    CapturePipeline p({}, [&](ObservedMessage&& m) {
        ++c.messages;
        if (m.message) {
            if (m.message->isRequest()) {
                ++c.requests;
                ++c.methods[std::string(m.message->method())];
            } else {
                ++c.responses;
            }
            if (const auto* h = m.message->header(sipscope::stack::HeaderId::CallId))
                c.callIds.emplace(h->value);
        }
        if (keep) c.all.push_back(std::move(m));
    });
    RawPacket pkt;
    while (src->next(pkt)) {
        ++c.packets;
        p.process(pkt);
    }
    p.finish();
    if (src->error()) c.error = src->error()->message;
    return c;
}

}  // namespace

class TestPipelineCorpus : public QObject {
    Q_OBJECT
  private slots:
    void manifest_data();
    void manifest();
    void bundledExample();
};

void TestPipelineCorpus::manifest_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("row");
    const QString dir = sipscope::test::corpusDir();
    if (dir.isEmpty()) return;
    for (const auto& row : sipscope::test::readTsv(dir + "/MANIFEST.tsv"))
        QTest::newRow(qPrintable(row[0])) << dir + "/" + row[0] << row;
}

void TestPipelineCorpus::manifest() {
    if (sipscope::test::corpusDir().isEmpty())
        QSKIP("shared corpus not found (set SIPSCOPE_CORPUS_DIR)");
    QFETCH(QString, path);
    QFETCH(QStringList, row);
    // Columns: local_path file_format link_type packets sip_frames sip_messages sip_requests
    // sip_responses call_ids invites transports ip_versions encapsulation icmp_quoted ...
    const Counts c = run(path);
    QVERIFY2(c.error.empty(), c.error.c_str());
    QCOMPARE(c.packets, row[3].toULongLong());
    std::uint64_t messages = row[5].toULongLong(), requests = row[6].toULongLong(),
                  invites = row[9].toULongLong();
    const std::uint64_t icmpQuoted = row[13].toULongLong();
    if (icmpQuoted > 0) {
        // tshark dissects the SIP datagram quoted inside ICMP errors and counts it as a SIP
        // message. That datagram was never seen on this link (the ICMP error reports it was not
        // delivered), so SipScope counts the ICMP error, not a second copy of the message.
        // The only such capture, ipfixprobe/sip.pcap, quotes 5 INVITEs (port unreachable).
        messages -= icmpQuoted;
        requests -= icmpQuoted;
        invites -= icmpQuoted;
    }
    QCOMPARE(c.messages, messages);
    QCOMPARE(c.requests, requests);
    QCOMPARE(c.responses, row[7].toULongLong());
    QCOMPARE(static_cast<std::uint64_t>(c.callIds.size()), row[8].toULongLong());
    QCOMPARE(static_cast<std::uint64_t>(c.methods.count("INVITE") ? c.methods.at("INVITE") : 0),
             invites);
}

void TestPipelineCorpus::bundledExample() {
    const Counts c =
        run(QStringLiteral(SIPSCOPE_SOURCE_DIR) + "/resources/examples/basic-calls.pcap", true);
    QVERIFY2(c.error.empty(), c.error.c_str());
    // resources/examples/README.md lists what the capture holds (tshark -z sip,stat agrees).
    QCOMPARE(c.messages, std::uint64_t(61));
    QCOMPARE(c.methods.at("INVITE"), 8);
    QCOMPARE(c.methods.at("ACK"), 8);
    QCOMPARE(c.methods.at("BYE"), 6);
    QCOMPARE(c.methods.at("CANCEL"), 1);
    QCOMPARE(c.methods.at("REGISTER"), 2);
    QCOMPARE(c.methods.at("OPTIONS"), 2);
    int tcp = 0, v6 = 0;
    std::uint64_t lastId = 0;
    for (const auto& m : c.all) {
        QVERIFY(m.id > lastId);
        lastId = m.id;
        QVERIFY(!m.frames.empty());
        QVERIFY(m.message.has_value());
        QCOMPARE(m.bytes->size(), m.message->bytes().size());
        if (m.transport == Transport::Tcp) ++tcp;
        if (m.ipVersion == 6) {
            ++v6;
            QCOMPARE(m.src.ip.toString(), std::string("::1"));
        }
    }
    QVERIFY(tcp >= 6);
    QCOMPARE(v6, 2);
}

QTEST_APPLESS_MAIN(TestPipelineCorpus)
#include "tst_pipeline_corpus.moc"
