// Capture-file reader: pcap (µs/ns, both byte orders) and pcapng (sections, interfaces with
// their own link types and resolutions, SPB/OPB, skipped blocks) written here byte by byte,
// plain and gzipped, from files, memory and a pipe on standard input; every cut position gives
// exactly the packets before the cut and an error naming the right packet and offset; corrupt
// lengths are caught at the right record; the shared corpus reads with tshark's counts.

#include <QtTest>

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <limits>
#include <thread>

#include "capture/packet_source.hpp"
#include "test_util.hpp"

using namespace sipscope::analyzer;

namespace {

using Bytes = std::vector<std::uint8_t>;

struct Packet {
    std::uint64_t number = 0;
    std::int64_t tsNs = 0;
    int linkType = 0;
    std::uint32_t interfaceId = 0;
    std::uint32_t origLength = 0;
    std::uint64_t fileOffset = 0;
    Bytes data;
};

QString describe(const Packet& p) {
    return QStringLiteral("#%1 ts=%2 lt=%3 if=%4 orig=%5 off=%6 data=%7")
        .arg(p.number)
        .arg(p.tsNs)
        .arg(p.linkType)
        .arg(p.interfaceId)
        .arg(p.origLength)
        .arg(p.fileOffset)
        .arg(QString::fromLatin1(
            QByteArray(reinterpret_cast<const char*>(p.data.data()), qsizetype(p.data.size()))
                .toHex()));
}

// A record of the file being written: where it starts and ends, and whether it is a packet.
struct Record {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    bool packet = false;
};

struct Capture {
    Bytes bytes;
    std::vector<Packet> packets;
    std::vector<Record> records;  // the first one is the file header / first section header
    std::vector<int> linkTypes;
    QString format;
};

Bytes payload(std::size_t n, std::uint64_t seed) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed * 31 + i * 7);
    return b;
}

// Appends integers in a chosen byte order and tracks records.
class Writer {
  public:
    explicit Writer(bool bigEndian) : m_big(bigEndian) {}
    void setBigEndian(bool big) { m_big = big; }
    std::size_t size() const { return c.bytes.size(); }
    void u8(std::uint8_t v) { c.bytes.push_back(v); }
    void u16(std::uint16_t v) { put(v, 2); }
    void u32(std::uint32_t v) { put(v, 4); }
    void u64(std::uint64_t v) { put(v, 8); }
    void raw(const Bytes& b) { c.bytes.insert(c.bytes.end(), b.begin(), b.end()); }
    void pad4() {
        while (size() % 4) u8(0);
    }
    void patch32(std::size_t at, std::uint32_t v) {
        for (int i = 0; i < 4; ++i) {
            const int shift = m_big ? 24 - 8 * i : 8 * i;
            c.bytes[at + std::size_t(i)] = static_cast<std::uint8_t>(v >> shift);
        }
    }
    void record(std::size_t start, bool packet) { c.records.push_back({start, size(), packet}); }

    // pcapng: type + placeholder length; endBlock pads, writes the trailer, fixes the length.
    std::size_t beginBlock(std::uint32_t type) {
        const std::size_t start = size();
        u32(type);
        u32(0);
        return start;
    }
    void endBlock(std::size_t start, bool packet = false) {
        pad4();
        const auto length = static_cast<std::uint32_t>(size() + 4 - start);
        u32(length);
        patch32(start + 4, length);
        record(start, packet);
    }
    void option(std::uint16_t code, const Bytes& value) {
        u16(code);
        u16(static_cast<std::uint16_t>(value.size()));
        raw(value);
        pad4();
    }
    Capture c;

  private:
    void put(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i)
            u8(static_cast<std::uint8_t>(v >> (m_big ? 8 * (n - 1 - i) : 8 * i)));
    }
    bool m_big;
};

constexpr std::int64_t kSec = 1'000'000'000;

void pcapRecord(Writer& w, std::uint32_t sec, std::uint32_t frac, bool nano, Bytes data,
                std::uint32_t origLen, int linkType) {
    const std::size_t start = w.size();
    w.u32(sec);
    w.u32(frac);
    w.u32(static_cast<std::uint32_t>(data.size()));
    w.u32(origLen);
    w.raw(data);
    w.record(start, true);
    w.c.packets.push_back({w.c.packets.size() + 1,
                           sec * kSec + std::int64_t(frac) * (nano ? 1 : 1000), linkType, 0,
                           origLen, start, std::move(data)});
}

std::size_t pcapHeader(Writer& w, bool nano, std::uint32_t snapLen, std::uint32_t linkField) {
    w.u32(nano ? 0xa1b23c4d : 0xa1b2c3d4);
    w.u16(2);
    w.u16(4);
    w.u32(0);
    w.u32(0);
    w.u32(snapLen);
    w.u32(linkField);
    w.record(0, false);
    return w.size();
}

Capture makePcap(bool big, bool nano) {
    Writer w(big);
    pcapHeader(w, nano, 65535, 1);
    pcapRecord(w, 1700000000, nano ? 123456789 : 123456, nano, payload(60, 1), 60, 1);
    pcapRecord(w, 1700000001, 0, nano, payload(1, 2), 1514, 1);  // snapped
    pcapRecord(w, 1700000001, nano ? 999999999 : 999999, nano, {}, 0, 1);
    pcapRecord(w, 4294967295u, 7, nano, payload(333, 3), 333, 1);  // last second of uint32
    w.c.linkTypes = {1};
    w.c.format = "pcap";
    return std::move(w.c);
}

// pcapng interface description with optional if_tsresol / if_tsoffset.
void idb(Writer& w, std::uint16_t linkType, std::uint32_t snapLen, int tsresol = -1,
         std::optional<std::int64_t> tsoffset = {}) {
    const std::size_t b = w.beginBlock(1);
    w.u16(linkType);
    w.u16(0);
    w.u32(snapLen);
    w.option(2, {'e', 't', 'h', '0'});  // if_name, ignored
    if (tsresol >= 0) w.option(9, {static_cast<std::uint8_t>(tsresol)});
    if (tsoffset) {
        w.u16(14);
        w.u16(8);
        w.u64(static_cast<std::uint64_t>(*tsoffset));
    }
    w.option(0, {});
    w.endBlock(b);
}

void shb(Writer& w) {
    const std::size_t b = w.beginBlock(0x0a0d0d0a);
    w.u32(0x1a2b3c4d);
    w.u16(1);
    w.u16(0);
    w.u64(~std::uint64_t{0});      // section length unknown
    w.option(4, {'t', 's', 't'});  // shb_userappl
    w.option(0, {});
    w.endBlock(b);
}

// Enhanced (type 6) or obsolete (type 2) packet block.
void packetBlock(Writer& w, std::uint32_t type, std::uint32_t iface, std::uint64_t units,
                 Bytes data, std::uint32_t origLen, std::int64_t tsNs, int linkType,
                 bool withOptions = false) {
    const std::size_t b = w.beginBlock(type);
    if (type == 6) {
        w.u32(iface);
    } else {
        w.u16(static_cast<std::uint16_t>(iface));
        w.u16(3);  // drops count
    }
    w.u32(static_cast<std::uint32_t>(units >> 32));
    w.u32(static_cast<std::uint32_t>(units));
    w.u32(static_cast<std::uint32_t>(data.size()));
    w.u32(origLen);
    w.raw(data);
    w.pad4();
    if (withOptions) {
        w.option(2, {0, 0, 0, 1});     // epb_flags
        w.option(1, {'h', 'i', '!'});  // opt_comment
        w.option(0, {});
    }
    w.endBlock(b, true);
    w.c.packets.push_back(
        {w.c.packets.size() + 1, tsNs, linkType, iface, origLen, b, std::move(data)});
}

// A block the reader skips, with a well-formed body so that tshark reads the file too.
void skippedBlock(Writer& w, std::uint32_t type) {
    const std::size_t b = w.beginBlock(type);
    if (type == 4) {  // name resolution: one IPv4 record, then nrb_record_end
        w.u16(1);
        w.u16(6);
        w.raw({192, 0, 2, 1, 'a', 0});
        w.pad4();
        w.u32(0);
    } else if (type == 5) {  // interface statistics: interface 0, a timestamp, no options
        w.u32(0);
        w.u32(1);
        w.u32(2);
    } else if (type == 0x0a) {  // decryption secrets: a TLS key log line
        w.u32(0x544c534b);
        w.u32(4);
        w.raw({'k', 'e', 'y', '\n'});
    } else {  // custom / local use: an enterprise number and opaque data
        w.u32(32473);
        w.raw(payload(9, type));
    }
    w.endBlock(b);
}

// Two sections in opposite byte orders. Section 1: interfaces Ethernet (µs, default), Linux
// SLL (ns, +1000 s offset), raw IP (ps); EPB, OPB, SPB and blocks to skip. Section 2: one
// interface, IPv4 with 2^-20 s resolution and a snap length that cuts the SPB.
Capture makePcapng(bool big) {
    Writer w(big);
    shb(w);
    idb(w, 1, 0);
    idb(w, 113, 262144, 9, 1000);
    skippedBlock(w, 4);  // name resolution
    idb(w, 101, 0, 12);
    const std::int64_t t0 = 1700000000 * kSec;
    packetBlock(w, 6, 0, 1700000000'123456ull, payload(42, 1), 42, t0 + 123456000, 1);
    packetBlock(w, 6, 1, 1699999000'000000001ull, payload(7, 2), 9000, t0 + 1, 113, true);
    skippedBlock(w, 5);  // interface statistics
    {
        const std::size_t b = w.beginBlock(3);  // SPB: interface 0, previous timestamp
        w.u32(20);
        w.raw(payload(20, 3));
        w.endBlock(b, true);
        w.c.packets.push_back({3, t0 + 1, 1, 0, 20, b, payload(20, 3)});
    }
    packetBlock(w, 2, 1, 1699999000'500000000ull, payload(64, 4), 64, t0 + kSec / 2, 113);
    packetBlock(w, 6, 2, 5'000000000'123ull, payload(3, 5), 3, 5 * kSec, 101);
    skippedBlock(w, 0x0bad);      // custom
    skippedBlock(w, 0x80001234);  // local use
    skippedBlock(w, 0x0a);        // decryption secrets

    w.setBigEndian(!big);
    shb(w);
    idb(w, 228, 62, 0x94);
    packetBlock(w, 6, 0, (1700000002ull << 20) + (1u << 19), payload(62, 6), 80,
                1700000002 * kSec + kSec / 2, 228);
    {
        // 100 bytes on the wire, 62 kept (snaplen) and padded to 64: §4.4 says the captured
        // length is min(snaplen, original length), not the padded room.
        const std::size_t b = w.beginBlock(3);
        w.u32(100);
        w.raw(payload(62, 7));
        w.endBlock(b, true);
        w.c.packets.push_back({7, 1700000002 * kSec + kSec / 2, 228, 0, 100, b, payload(62, 7)});
    }
    packetBlock(w, 6, 0, 1, payload(5, 8), 5, 953, 228);  // 2^-20 s = 953.67 ns, floored
    w.c.linkTypes = {1, 113, 101, 228};
    w.c.format = "pcapng";
    return std::move(w.c);
}

Bytes gzipBytes(const Bytes& in, int members = 1) {
    Bytes out;
    const std::size_t part = in.size() / std::size_t(members) + 1;
    for (std::size_t at = 0; at < in.size() || (at == 0 && in.empty()); at += part) {
        z_stream z{};
        deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        const std::size_t n = std::min(part, in.size() - at);
        Bytes buf(deflateBound(&z, uLong(n)) + 32);
        z.next_in = const_cast<Bytef*>(in.data() + at);
        z.avail_in = uInt(n);
        z.next_out = buf.data();
        z.avail_out = uInt(buf.size());
        deflate(&z, Z_FINISH);
        out.insert(out.end(), buf.begin(), buf.begin() + std::ptrdiff_t(z.total_out));
        deflateEnd(&z);
        if (in.empty()) break;
    }
    return out;
}

struct ReadResult {
    bool opened = false;
    std::string openError;
    std::vector<Packet> packets;
    std::optional<SourceError> error;
    std::vector<int> linkTypes;
    QString format;
    std::uint64_t bytesRead = 0;
    std::optional<std::uint64_t> totalBytes;
};

ReadResult readAll(std::unique_ptr<PacketSource> src, const std::string& openError) {
    ReadResult r;
    r.openError = openError;
    if (!src) return r;
    r.opened = true;
    RawPacket p;
    while (src->next(p)) {
        r.packets.push_back({p.number, p.tsNs, p.linkType, p.interfaceId, p.origLength,
                             p.fileOffset, Bytes(p.data.begin(), p.data.end())});
    }
    RawPacket after;
    if (src->next(after))
        QTest::qFail("next() delivered a packet after the end", __FILE__, __LINE__);
    r.error = src->error();
    r.linkTypes = src->linkTypes();
    r.format = QString::fromStdString(src->formatName());
    r.bytesRead = src->bytesRead();
    r.totalBytes = src->totalBytes();
    return r;
}

ReadResult readMemory(const Bytes& b) {
    std::string error;
    auto src = openCaptureMemory(b, error);
    return readAll(std::move(src), error);
}

ReadResult readPath(const QString& path) {
    std::string error;
    auto src = openCaptureFile(path.toStdString(), error);
    return readAll(std::move(src), error);
}

void writeFile(const QString& path, const Bytes& b) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(reinterpret_cast<const char*>(b.data()), qint64(b.size())), qint64(b.size()));
}

// gzopen/gzwrite, the way users' tools write .pcap.gz.
void writeGzFile(const QString& path, const Bytes& b) {
    gzFile f = gzopen(path.toLocal8Bit().constData(), "wb9");
    QVERIFY(f);
    if (!b.empty()) QCOMPARE(gzwrite(f, b.data(), unsigned(b.size())), int(b.size()));
    QCOMPARE(gzclose(f), Z_OK);
}

void comparePackets(const std::vector<Packet>& got, const std::vector<Packet>& want,
                    std::size_t count) {
    QCOMPARE(got.size(), count);
    for (std::size_t i = 0; i < count; ++i) QCOMPARE(describe(got[i]), describe(want[i]));
}

// What a reader must report for `bytes` cut after `cut` bytes.
void checkCut(const ReadResult& r, const Capture& c, std::size_t cut) {
    const Record& first = c.records.front();
    if (cut < first.end) {
        QVERIFY2(!r.opened, qPrintable(QString("cut %1 opened").arg(cut)));
        QVERIFY(!r.openError.empty());
        return;
    }
    QVERIFY2(r.opened, r.openError.c_str());
    std::size_t delivered = 0;
    const Record* broken = nullptr;
    for (const Record& rec : c.records) {
        if (rec.end <= cut) delivered += rec.packet ? 1 : 0;
        if (rec.start < cut && cut < rec.end) broken = &rec;
    }
    comparePackets(r.packets, c.packets, delivered);
    if (!broken) {
        QVERIFY2(!r.error, r.error ? r.error->message.c_str() : "");
        return;
    }
    QVERIFY2(r.error, qPrintable(QString("cut %1: no error").arg(cut)));
    QCOMPARE(r.error->packetNumber, delivered + 1);
    QCOMPARE(r.error->offset, broken->start);
    QVERIFY2(r.error->message.find("truncated") != std::string::npos, r.error->message.c_str());
}

Capture captureByName(const QString& name) {
    if (name == "pcap-le-us") return makePcap(false, false);
    if (name == "pcap-be-us") return makePcap(true, false);
    if (name == "pcap-le-ns") return makePcap(false, true);
    if (name == "pcap-be-ns") return makePcap(true, true);
    if (name == "pcapng-le") return makePcapng(false);
    return makePcapng(true);
}

const QStringList kCaptureNames = {"pcap-le-us", "pcap-be-us", "pcap-le-ns",
                                   "pcap-be-ns", "pcapng-le",  "pcapng-be"};

}  // namespace

class TestCaptureFile : public QObject {
    Q_OBJECT
  private slots:
    void allFields_data();
    void allFields();
    void everyCutPosition_data();
    void everyCutPosition();
    void cutCompressedStream();
    void corruptRecords_data();
    void corruptRecords();
    void pcapToleratesSloppySnapLen();
    void pcapLinkTypeFcsBitsMasked();
    void notACapture_data();
    void notACapture();
    void gzipMembersAndPadding();
    void largePacketsAcrossTheWindow_data();
    void largePacketsAcrossTheWindow();
    void standardInput_data();
    void standardInput();
    void idleWhileAPipeWaits();
    void extremeValues();
    void corpus();
};

// Every field of every packet, from a file, plain and gzipped, in every format variant.
void TestCaptureFile::allFields_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("gzip");
    for (const QString& n : kCaptureNames) {
        QTest::newRow(qPrintable(n)) << n << false;
        QTest::newRow(qPrintable(n + "-gz")) << n << true;
    }
}

void TestCaptureFile::allFields() {
    QFETCH(QString, name);
    QFETCH(bool, gzip);
    const Capture c = captureByName(name);
    QTemporaryDir dir;
    const QString path = dir.filePath(gzip ? "c.gz" : "c");
    if (gzip) {
        writeGzFile(path, c.bytes);
    } else {
        writeFile(path, c.bytes);
    }
    const ReadResult r = readPath(path);
    QVERIFY2(r.opened, r.openError.c_str());
    QVERIFY2(!r.error, r.error ? r.error->message.c_str() : "");
    comparePackets(r.packets, c.packets, c.packets.size());
    QCOMPARE(r.linkTypes, c.linkTypes);
    QCOMPARE(r.format, gzip ? c.format + ", gzip" : c.format);
    const auto size = std::uint64_t(QFileInfo(path).size());
    QCOMPARE(r.totalBytes, std::optional<std::uint64_t>(size));
    QCOMPARE(r.bytesRead, size);
}

void TestCaptureFile::everyCutPosition_data() {
    allFields_data();
}

// Cut at every byte (the gzip rows compress the cut file): exactly the packets before the cut,
// then an error naming the next packet number and the offset of the record that was cut.
void TestCaptureFile::everyCutPosition() {
    QFETCH(QString, name);
    QFETCH(bool, gzip);
    const Capture c = captureByName(name);
    for (std::size_t cut = 0; cut <= c.bytes.size(); ++cut) {
        const Bytes part(c.bytes.begin(), c.bytes.begin() + std::ptrdiff_t(cut));
        checkCut(readMemory(gzip ? gzipBytes(part) : part), c, cut);
        if (QTest::currentTestFailed()) {
            qWarning("the failure above is for the cut after %zu bytes", cut);
            return;
        }
    }
}

// A compressed stream cut anywhere: a prefix of the packets, then an error (gzip or capture).
void TestCaptureFile::cutCompressedStream() {
    const Capture c = makePcapng(false);
    const Bytes gz = gzipBytes(c.bytes);
    for (std::size_t cut = 1; cut < gz.size(); ++cut) {
        const ReadResult r = readMemory(Bytes(gz.begin(), gz.begin() + std::ptrdiff_t(cut)));
        if (!r.opened) {
            QVERIFY(!r.openError.empty());
            continue;
        }
        QVERIFY2(r.error, qPrintable(QString("cut %1 of %2: no error").arg(cut).arg(gz.size())));
        QVERIFY(r.packets.size() <= c.packets.size());
        comparePackets(r.packets, c.packets, r.packets.size());
        QCOMPARE(r.error->packetNumber, r.packets.size() + 1);
    }
    // Damaged deflate data may inflate to garbage that the capture reader rejects before the
    // CRC does: either way the read ends in an error.
    Bytes flipped = gz;
    flipped[gz.size() / 2] ^= 0x55;
    const ReadResult damaged = readMemory(flipped);
    QVERIFY(damaged.opened ? damaged.error.has_value() : !damaged.openError.empty());
    // A damaged CRC (RFC 1952 §2.3.1, CRC32 in the last 8 bytes) is noticed after the data: all
    // packets, then a gzip error.
    flipped = gz;
    flipped[gz.size() - 6] ^= 0x01;
    const ReadResult badCrc = readMemory(flipped);
    QVERIFY(badCrc.opened && badCrc.error);
    comparePackets(badCrc.packets, c.packets, c.packets.size());
    QCOMPARE(badCrc.error->packetNumber, c.packets.size() + 1);
    QCOMPARE(badCrc.error->offset, std::uint64_t(c.bytes.size()));
    QVERIFY2(badCrc.error->message.find("gzip") != std::string::npos,
             badCrc.error->message.c_str());
}

// Corrupt length fields and references: stop at the right record with a clear message.
void TestCaptureFile::corruptRecords_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("recordIndex");  // the record to corrupt (0 = file header)
    QTest::addColumn<int>("fieldOffset");  // offset inside that record
    QTest::addColumn<quint32>("value");
    QTest::addColumn<QString>("message");
    QTest::newRow("pcap incl_len > 16 MiB")
        << "pcap-le-us" << 2 << 8 << 0x01000001u << "captured length";
    QTest::newRow("pcap incl_len 4 GiB")
        << "pcap-be-ns" << 3 << 8 << 0xffffffffu << "captured length";
    QTest::newRow("pcap incl_len > snaplen tolerance")
        << "pcap-le-ns" << 1 << 8 << 300000u << "limit";
    QTest::newRow("ng length not multiple of 4") << "pcapng-le" << 5 << 4 << 70u << "multiple of 4";
    QTest::newRow("ng length below 12") << "pcapng-be" << 4 << 4 << 8u << "minimum";
    QTest::newRow("ng EPB length below 32") << "pcapng-le" << 5 << 4 << 28u << "minimum";
    QTest::newRow("ng length huge") << "pcapng-le" << 5 << 4 << 0x7ffffff0u << "limit";
    QTest::newRow("ng trailer mismatch") << "pcapng-le" << 6 << -4 << 20u << "trailing length";
    QTest::newRow("ng EPB caplen too big") << "pcapng-be" << 5 << 20 << 45u << "does not fit";
    QTest::newRow("ng EPB unknown interface") << "pcapng-le" << 5 << 8 << 3u << "interface 3";
    QTest::newRow("ng OPB unknown interface") << "pcapng-le" << 9 << 8 << 0x0009u << "interface 9";
    QTest::newRow("ng second SHB bad BOM") << "pcapng-le" << 14 << 8 << 0x11223344u << "byte-order";
    QTest::newRow("ng second SHB version 2") << "pcapng-be" << 14 << 12 << 0x00020000u << "version";
    QTest::newRow("ng if_tsresol 10^-80") << "pcapng-le" << 15 << 28 << 80u << "if_tsresol";
}

void TestCaptureFile::corruptRecords() {
    QFETCH(QString, name);
    QFETCH(int, recordIndex);
    QFETCH(int, fieldOffset);
    QFETCH(quint32, value);
    QFETCH(QString, message);
    Capture c = captureByName(name);
    const Record rec = c.records.at(std::size_t(recordIndex));
    const bool big = name.contains("-be") != (name.startsWith("pcapng") && recordIndex >= 14);
    const std::size_t at = fieldOffset < 0 ? rec.end - 4 : rec.start + std::size_t(fieldOffset);
    if (message == "if_tsresol") {
        c.bytes[at] = static_cast<std::uint8_t>(value);  // one-byte option value
    } else if (message == "version") {
        Writer w(big);
        w.c.bytes = c.bytes;
        w.patch32(at, big ? value : (value >> 16) | (value << 16));
        c.bytes = w.c.bytes;
    } else {
        Writer w(big);
        w.c.bytes = c.bytes;
        w.patch32(at, value);
        c.bytes = w.c.bytes;
    }
    const ReadResult r = readMemory(c.bytes);
    QVERIFY2(r.opened, r.openError.c_str());
    QVERIFY(r.error);
    std::size_t before = 0;
    for (std::size_t i = 0; i < std::size_t(recordIndex); ++i)
        before += c.records[i].packet ? 1 : 0;
    comparePackets(r.packets, c.packets, before);
    QCOMPARE(r.error->packetNumber, before + 1);
    QCOMPARE(r.error->offset, rec.start);
    QVERIFY2(r.error->message.find(message.toStdString()) != std::string::npos,
             r.error->message.c_str());
}

// Records longer than the snap length are tolerated up to 256 KiB, and up to 16 MiB when the
// snap length says nothing (0).
void TestCaptureFile::pcapToleratesSloppySnapLen() {
    for (const std::uint32_t snapLen : {65535u, 0u}) {
        Writer w(false);
        pcapHeader(w, false, snapLen, 1);
        pcapRecord(w, 1, 2, false, payload(70000, 1), 70000, 1);
        if (snapLen == 0) pcapRecord(w, 1, 3, false, payload(300000, 2), 300000, 1);
        const ReadResult r = readMemory(w.c.bytes);
        QVERIFY(r.opened && !r.error);
        comparePackets(r.packets, w.c.packets, w.c.packets.size());
    }
}

// draft-ietf-opsawg-pcap §4: FCS length and its flag live in the upper bits of the field.
void TestCaptureFile::pcapLinkTypeFcsBitsMasked() {
    Writer w(true);
    pcapHeader(w, false, 0, 0x24000000u | 1u);
    pcapRecord(w, 5, 6, false, payload(10, 1), 10, 1);
    const ReadResult r = readMemory(w.c.bytes);
    QVERIFY(r.opened && !r.error);
    comparePackets(r.packets, w.c.packets, 1);
    QCOMPARE(r.linkTypes, std::vector<int>{1});
}

void TestCaptureFile::notACapture_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<QString>("message");
    QTest::newRow("text") << QByteArray("hello world\n") << false << "68 65 6c 6c";
    QTest::newRow("zip") << QByteArray("PK\x03\x04rest", 8) << false << "50 4b 03 04";
    QTest::newRow("gzipped text") << QByteArray("INVITE sip:") << true
                                  << "49 4e 56 49 (after gzip decompression)";
    QTest::newRow("empty") << QByteArray() << false << "is empty";
    QTest::newRow("empty gzip") << QByteArray() << true << "is empty";
    QTest::newRow("three bytes") << QByteArray("\xd4\xc3\xb2") << false << "only 3 bytes";
    QTest::newRow("pcap header cut")
        << QByteArray("\xd4\xc3\xb2\xa1\x02\x00", 6) << false << "truncated pcap file header";
    QTest::newRow("pcap version 1")
        << QByteArray("\xd4\xc3\xb2\xa1\x01\x00\x00\x00", 8).append(16, '\0') << false
        << "unsupported pcap version 1.0";
    QTest::newRow("gzip garbage") << QByteArray("\x1f\x8b\x08\x00garbagegarbage", 18) << false
                                  << "gzip";
}

void TestCaptureFile::notACapture() {
    QFETCH(QByteArray, content);
    QFETCH(bool, gzip);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString path = dir.filePath("x");
    const Bytes b(content.begin(), content.end());
    if (gzip) {
        writeGzFile(path, b);
    } else {
        writeFile(path, b);
    }
    const ReadResult r = readPath(path);
    QVERIFY(!r.opened);
    QVERIFY2(QString::fromStdString(r.openError).contains(message), r.openError.c_str());
    QVERIFY2(QString::fromStdString(r.openError).contains(path), r.openError.c_str());

    const ReadResult missing = readPath(dir.filePath("missing"));
    QVERIFY(!missing.opened && missing.openError.find("cannot open") != std::string::npos);
    const ReadResult directory = readPath(dir.path());
    QVERIFY(!directory.opened && directory.openError.find("directory") != std::string::npos);
}

// RFC 1952 §2.2: concatenated members read as one stream; zero padding after the last member
// is ignored like gzip(1) does.
void TestCaptureFile::gzipMembersAndPadding() {
    const Capture c = makePcapng(true);
    for (const int members : {2, 5, int(c.bytes.size())}) {
        Bytes gz = gzipBytes(c.bytes, members);
        const ReadResult r = readMemory(gz);
        QVERIFY2(r.opened && !r.error, r.error ? r.error->message.c_str() : r.openError.c_str());
        comparePackets(r.packets, c.packets, c.packets.size());
        QCOMPARE(r.bytesRead, std::uint64_t(gz.size()));
        gz.resize(gz.size() + 512, 0);
        const ReadResult padded = readMemory(gz);
        QVERIFY(padded.opened && !padded.error);
        comparePackets(padded.packets, c.packets, c.packets.size());
    }
}

// Packets larger than the 1 MiB window, and records straddling window refills.
void TestCaptureFile::largePacketsAcrossTheWindow_data() {
    QTest::addColumn<bool>("gzip");
    QTest::newRow("plain") << false;
    QTest::newRow("gzip") << true;
}

void TestCaptureFile::largePacketsAcrossTheWindow() {
    QFETCH(bool, gzip);
    Writer w(false);
    pcapHeader(w, true, 0, 1);
    std::uint32_t t = 0;
    for (const std::size_t n : {100ul, 3ul << 20, 50ul, (1ul << 20) - 10, (1ul << 20) + 7, 20ul}) {
        ++t;
        pcapRecord(w, 1, t, true, payload(n, t), std::uint32_t(n), 1);
    }
    for (int i = 0; i < 20000; ++i, ++t) pcapRecord(w, 2, t, true, payload(i % 1500, t), 1500, 1);
    pcapRecord(w, 3, t, true, payload(5u << 20, t), 5u << 20, 1);
    QTemporaryDir dir;
    const QString path = dir.filePath("big");
    if (gzip) {
        writeGzFile(path, w.c.bytes);
    } else {
        writeFile(path, w.c.bytes);
    }
    const ReadResult r = readPath(path);
    QVERIFY(r.opened && !r.error);
    QCOMPARE(r.packets.size(), w.c.packets.size());
    for (std::size_t i = 0; i < r.packets.size(); ++i) {
        if (r.packets[i].data != w.c.packets[i].data ||
            r.packets[i].fileOffset != w.c.packets[i].fileOffset ||
            r.packets[i].tsNs != w.c.packets[i].tsNs) {
            QFAIL(qPrintable(QString("packet %1 differs").arg(i + 1)));
        }
    }
}

// "-" reads file descriptor 0: a pipe fed in small pieces by another thread, plain and gzip.
void TestCaptureFile::standardInput_data() {
    QTest::addColumn<bool>("gzip");
    QTest::newRow("plain") << false;
    QTest::newRow("gzip") << true;
}

void TestCaptureFile::standardInput() {
    QFETCH(bool, gzip);
    const Capture c = makePcapng(false);
    const Bytes bytes = gzip ? gzipBytes(c.bytes, 3) : c.bytes;
    int fds[2];
    QCOMPARE(::pipe(fds), 0);
    const int savedStdin = ::dup(STDIN_FILENO);
    QVERIFY(savedStdin >= 0);
    QCOMPARE(::dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    ::close(fds[0]);
    std::thread feeder([&] {
        for (std::size_t at = 0; at < bytes.size(); at += 7) {
            const std::size_t n = std::min<std::size_t>(7, bytes.size() - at);
            if (::write(fds[1], bytes.data() + at, n) != ssize_t(n)) break;
        }
        ::close(fds[1]);
    });
    const ReadResult r = readPath("-");
    feeder.join();
    ::dup2(savedStdin, STDIN_FILENO);
    ::close(savedStdin);
    QVERIFY2(r.opened && !r.error, r.error ? r.error->message.c_str() : r.openError.c_str());
    comparePackets(r.packets, c.packets, c.packets.size());
    QVERIFY(!r.totalBytes);
    QCOMPARE(r.bytesRead, std::uint64_t(bytes.size()));
}

// A live source (a pipe) with nothing to read calls the idle handler on the reading thread, each
// interval, until the data comes; the packets are all there afterwards. The handler here is
// the writer: on its third call it sends the capture's last bytes and closes the pipe.
void TestCaptureFile::idleWhileAPipeWaits() {
    const Capture c = makePcapng(false);
    QVERIFY(c.bytes.size() > 10 && c.bytes.size() < 60000);  // fits the pipe's buffer
    int fds[2];
    QCOMPARE(::pipe(fds), 0);
    const std::size_t head = c.bytes.size() - 10;
    QCOMPARE(::write(fds[1], c.bytes.data(), head), ssize_t(head));
    std::string error;
    auto src = openCaptureFile("/dev/fd/" + std::to_string(fds[0]), error);
    ::close(fds[0]);  // the source opened its own descriptor
    QVERIFY2(src, error.c_str());
    int idle = 0;
    src->setIdleHandler(
        [&] {
            if (++idle == 3) {
                QCOMPARE(::write(fds[1], c.bytes.data() + head, 10), ssize_t(10));
                ::close(fds[1]);
            }
        },
        10);
    const ReadResult r = readAll(std::move(src), error);
    QCOMPARE(idle, 3);
    QVERIFY(!r.error);
    comparePackets(r.packets, c.packets, c.packets.size());
}

// Values at the edges of the formats: defined timestamps whatever the resolution and offset,
// bounded work for absurd lengths and interface counts.
void TestCaptureFile::extremeValues() {
    {
        Writer w(false);
        shb(w);
        idb(w, 1, 0, 0xbf);  // 2^-63 s: the fraction needs 94-bit arithmetic
        idb(w, 1, 0, 6, std::numeric_limits<std::int64_t>::max());
        const std::uint64_t all = ~std::uint64_t{0};
        packetBlock(w, 6, 0, all, payload(1, 1), 1, 1'999'999'999, 1);
        // µs units × 1000 plus the offset wrap modulo 2^64 rather than overflowing.
        const std::uint64_t wrapped =
            all * 1000 + std::uint64_t{std::numeric_limits<std::int64_t>::max()} * 1'000'000'000u;
        packetBlock(w, 6, 1, all, payload(2, 2), 2, std::int64_t(wrapped), 1);
        const ReadResult r = readMemory(w.c.bytes);
        QVERIFY(r.opened && !r.error);
        comparePackets(r.packets, w.c.packets, 2);
    }
    {
        // A 16 MiB record announced by a file that ends right after it: truncation at the
        // record, without waiting for 16 MiB that never come.
        Writer w(true);
        pcapHeader(w, false, 0, 1);
        w.u32(1);
        w.u32(2);
        w.u32(16u << 20);
        w.u32(16u << 20);
        w.raw(payload(100, 1));
        const ReadResult r = readMemory(w.c.bytes);
        QVERIFY(r.opened && r.error);
        QCOMPARE(r.error->packetNumber, std::uint64_t(1));
        QCOMPARE(r.error->offset, std::uint64_t(24));
        QVERIFY2(r.error->message.find("116 of its 16777232") != std::string::npos,
                 r.error->message.c_str());
    }
    {
        Writer w(false);
        shb(w);
        for (int i = 0; i < 65537; ++i) idb(w, 1, 0);
        const ReadResult r = readMemory(w.c.bytes);
        QVERIFY(r.opened && r.error);
        QCOMPARE(r.error->offset, w.c.records.back().start);
        QVERIFY2(r.error->message.find("more than 65536 interfaces") != std::string::npos,
                 r.error->message.c_str());
    }
    {
        // 20 MiB of zeros compressed to a few KiB: decompressed as a stream, rejected by magic.
        const ReadResult r = readMemory(gzipBytes(Bytes(20u << 20, 0)));
        QVERIFY(!r.opened);
        QVERIFY2(r.openError.find("unknown magic 00 00 00 00 (after gzip") != std::string::npos,
                 r.openError.c_str());
    }
}

// Every capture of the shared corpus: packet count and link type as tshark saw them
// (MANIFEST.tsv), no error, every byte consumed.
void TestCaptureFile::corpus() {
    const QString corpus = sipscope::test::corpusDir();
    if (corpus.isEmpty()) QSKIP("shared corpus not present");
    QFile manifest(corpus + "/MANIFEST.tsv");
    QVERIFY(manifest.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList header = QString::fromUtf8(manifest.readLine()).trimmed().split('\t');
    const auto pathCol = header.indexOf("local_path");
    const auto packetsCol = header.indexOf("packets");
    const auto linkCol = header.indexOf("link_type");
    QVERIFY(pathCol >= 0 && packetsCol >= 0 && linkCol >= 0);
    // tshark's encapsulation names. The raw-IPv4 capture (zeek) carries LINKTYPE_IPV4 (228) in
    // its header, which Wireshark calls "rawip4"; LINKTYPE_RAW (101) would be "rawip".
    const QHash<QString, int> linkTypes = {
        {"ether", 1}, {"linux-sll", 113}, {"null", 0}, {"rawip4", 228}};
    QHash<QString, QPair<int, int>> expected;  // path -> packets, link type
    for (const QStringList& row : sipscope::test::readTsv(corpus + "/MANIFEST.tsv")) {
        QVERIFY2(linkTypes.contains(row.at(linkCol)), qPrintable(row.at(linkCol)));
        expected.insert(row.at(pathCol), {row.at(packetsCol).toInt(), linkTypes[row.at(linkCol)]});
    }
    int files = 0;
    QDirIterator it(corpus + "/pcaps", {"*.pcap", "*.pcapng"}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString rel = QDir(corpus).relativeFilePath(path);
        QVERIFY2(expected.contains(rel), qPrintable(rel + " is not in MANIFEST.tsv"));
        const ReadResult r = readPath(path);
        QVERIFY2(r.opened, r.openError.c_str());
        QVERIFY2(!r.error, qPrintable(rel + ": " + (r.error ? r.error->message.c_str() : "")));
        QCOMPARE(int(r.packets.size()), expected[rel].first);
        QCOMPARE(r.linkTypes, std::vector<int>{expected[rel].second});
        for (std::size_t i = 0; i < r.packets.size(); ++i) {
            QCOMPARE(r.packets[i].number, i + 1);
            QCOMPARE(r.packets[i].linkType, expected[rel].second);
            QVERIFY(r.packets[i].data.size() <= r.packets[i].origLength);
        }
        QCOMPARE(r.bytesRead, *r.totalBytes);
        ++files;
    }
    QCOMPARE(files, int(expected.size()));
}

QTEST_APPLESS_MAIN(TestCaptureFile)
#include "tst_capture_file.moc"
