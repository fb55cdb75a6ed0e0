#include "media_model.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QStringList>

#include "ladder_media.hpp"

namespace sipscope::gui {

using analyzer::store::MediaStreamRow;

namespace {

QString qs(const std::string& s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QString endpoint(const std::string& ip, std::uint16_t port) {
    return ip.find(':') == std::string::npos ? QStringLiteral("%1:%2").arg(qs(ip)).arg(port)
                                             : QStringLiteral("[%1]:%2").arg(qs(ip)).arg(port);
}

// The analyzer's encoding name from the stream's JSON; DTMF-only streams by their events.
QString codecOf(const MediaStreamRow& r) {
    const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromStdString(r.json)).object();
    const QString encoding = o.value(QStringLiteral("encoding")).toString();
    if (!encoding.isEmpty()) return encoding;
    if (!o.value(QStringLiteral("dtmf")).toArray().isEmpty())
        return QStringLiteral("telephone-event");
    return r.payloadTypes.empty() ? QStringLiteral("RTP")
                                  : QStringLiteral("PT %1").arg(qs(r.payloadTypes));
}

}  // namespace

std::vector<MediaStreamData> readCallStreams(analyzer::sql::Database& db,
                                             const std::vector<MediaCallRef>& calls,
                                             bool withSeries) {
    std::vector<MediaStreamData> out;
    for (const auto& call : calls) {
        if (call.callId.empty()) continue;  // heuristic streams have no call
        for (auto& s : analyzer::store::readMediaStreams(db, call.callId)) {
            if (s.captureId != call.captureId) continue;
            MediaStreamData d;
            d.codec = codecOf(s.row);
            if (withSeries) d.series = analyzer::store::readMediaSeries(db, s.id);
            d.stored = std::move(s);
            out.push_back(std::move(d));
        }
    }
    return out;
}

MediaLoad readCallMedia(const QString& dbPath, const std::vector<MediaCallRef>& calls) {
    MediaLoad out;
    try {
        analyzer::sql::Database db(dbPath.toStdString(), analyzer::sql::Database::Mode::ReadOnly);
        out.streams = readCallStreams(db, calls, true);
    } catch (const analyzer::sql::Error& e) {
        out.error = qs(e.message);
    }
    return out;
}

analyzer::LadderStream toLadderStream(const MediaStreamData& d) {
    const MediaStreamRow& r = d.stored.row;
    analyzer::LadderStream s;
    s.id = d.stored.id;
    s.srcIp = r.src;
    s.dstIp = r.dst;
    s.srcPort = r.sport;
    s.dstPort = r.dport;
    s.ssrc = r.ssrc;
    s.codec = d.codec.toStdString();
    s.packets = r.packets;
    s.lost = r.lost;
    s.lossPct = r.lossPct;
    s.jitterMs = r.jitterMs;
    s.maxDeltaMs = r.maxDeltaMs;
    s.mos = r.mos;
    for (const QString& p : qs(r.problems).split(QLatin1Char(','), Qt::SkipEmptyParts))
        s.problems.push_back(p.trimmed().toStdString());
    s.startNs = r.startNs;
    s.endNs = r.endNs;
    return s;
}

QString streamDirection(const MediaStreamRow& r) {
    return QStringLiteral("%1 → %2").arg(endpoint(r.src, r.sport), endpoint(r.dst, r.dport));
}

MediaStreamModel::MediaStreamModel(QObject* parent) : QAbstractTableModel(parent) {}

void MediaStreamModel::setStreams(std::vector<MediaStreamData> streams) {
    beginResetModel();
    m_rows = std::move(streams);
    endResetModel();
}

int MediaStreamModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int MediaStreamModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MediaStreamModel::display(const MediaStreamData& d, int column) const {
    const MediaStreamRow& r = d.stored.row;
    const QLocale en(QLocale::English, QLocale::UnitedStates);
    switch (column) {
        case Direction:
            return streamDirection(r);
        case Ssrc:
            return QStringLiteral("0x%1").arg(r.ssrc, 8, 16, QLatin1Char('0'));
        case Codec:
            return d.codec;
        case Packets:
            return en.toString(static_cast<qulonglong>(r.packets));
        case Lost:
            return en.toString(static_cast<qulonglong>(r.lost));
        case LossPct:
            return QString::number(r.lossPct, 'f', 2);
        case Jitter:
            return QString::number(r.jitterMs, 'f', 2);
        case MaxDelta:
            return QString::number(r.maxDeltaMs, 'f', 1);
        case Mos:
            return r.mos ? QString::number(*r.mos, 'f', 2) : QStringLiteral("–");
        case Problems:
            return qs(r.problems).replace(QLatin1Char(','), QStringLiteral(", "));
        default:
            return {};
    }
}

QVariant MediaStreamModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto& d = m_rows[static_cast<std::size_t>(index.row())];
    const MediaStreamRow& r = d.stored.row;
    const int column = index.column();
    if (role == kSortRole) {
        switch (column) {
            case Ssrc:
                return qulonglong(r.ssrc);
            case Packets:
                return qulonglong(r.packets);
            case Lost:
                return qulonglong(r.lost);
            case LossPct:
                return r.lossPct;
            case Jitter:
                return r.jitterMs;
            case MaxDelta:
                return r.maxDeltaMs;
            case Mos:
                return r.mos ? *r.mos : -1.0;
            default:
                return display(d, column);
        }
    }
    if (role == Qt::TextAlignmentRole && column >= Packets && column <= Mos)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) return streamTooltip(toLadderStream(d));
    if (role == Qt::DisplayRole) {
        if (column != Mos) return display(d, column);
        // The quality symbol beside the MOS, so the table reads like the ladder's bars.
        const MediaQuality q = mediaQuality(toLadderStream(d));
        return QStringLiteral("%1 %2").arg(mediaQualitySymbol(q), display(d, column).toString());
    }
    return {};
}

QVariant MediaStreamModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole) {
        if (section == Jitter) return tr("Interarrival jitter at the end (RFC 3550 §6.4.1)");
        if (section == Mos)
            return tr("Estimated MOS (ITU-T G.107 E-model); ✓ good ⚠ degraded ✖ bad");
        return {};
    }
    if (role != Qt::DisplayRole) return {};
    static const char* const kNames[] = {QT_TR_NOOP("Direction"), QT_TR_NOOP("SSRC"),
                                         QT_TR_NOOP("Codec"),     QT_TR_NOOP("Packets"),
                                         QT_TR_NOOP("Lost"),      QT_TR_NOOP("Loss %"),
                                         QT_TR_NOOP("Jitter ms"), QT_TR_NOOP("Max Δ ms"),
                                         QT_TR_NOOP("MOS"),       QT_TR_NOOP("Problems")};
    return section >= 0 && section < ColumnCount ? tr(kNames[section]) : QVariant();
}

}  // namespace sipscope::gui
