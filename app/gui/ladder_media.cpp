#include "ladder_media.hpp"

#include <QFontMetricsF>
#include <QLocale>
#include <QObject>
#include <algorithm>
#include <cmath>

namespace sipscope::gui {

using analyzer::LadderLayout;
using analyzer::LadderStream;

namespace {

QString qs(const std::string& s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

bool has(const LadderStream& s, const char* problem) {
    return std::find(s.problems.begin(), s.problems.end(), problem) != s.problems.end();
}

// "192.0.2.1:5060" → "192.0.2.1", "[2001:db8::1]:5060" → "2001:db8::1".
std::string ipOf(const std::string& endpoint) {
    if (!endpoint.empty() && endpoint.front() == '[') {
        const auto close = endpoint.find(']');
        return endpoint.substr(1, close == std::string::npos ? std::string::npos : close - 1);
    }
    const auto colon = endpoint.rfind(':');
    return colon == std::string::npos ? endpoint : endpoint.substr(0, colon);
}

bool laneHasIp(const analyzer::LadderLane& lane, const std::string& ip) {
    return std::any_of(lane.endpoints.begin(), lane.endpoints.end(),
                       [&](const std::string& e) { return ipOf(e) == ip; });
}

constexpr double kBarWidth = 6;
constexpr double kBarInset = 10;  // from the lane line
constexpr double kBarShift = 9;   // per overlapping bar of the same lane and side
constexpr double kBeyondRows = 18;

}  // namespace

MediaQuality mediaQuality(const LadderStream& s) {
    if ((s.mos && *s.mos < 3.1) || s.lossPct >= 5 || has(s, "one_way_audio"))
        return MediaQuality::Bad;
    if ((s.mos && *s.mos < 4.0) || s.lossPct >= 1 || !s.problems.empty())
        return MediaQuality::Degraded;
    return MediaQuality::Good;
}

QString mediaQualityName(MediaQuality q) {
    switch (q) {
        case MediaQuality::Good:
            return QObject::tr("good");
        case MediaQuality::Degraded:
            return QObject::tr("degraded");
        case MediaQuality::Bad:
            return QObject::tr("bad");
    }
    return {};
}

QString mediaQualitySymbol(MediaQuality q) {
    switch (q) {
        case MediaQuality::Good:
            return QStringLiteral("✓");
        case MediaQuality::Degraded:
            return QStringLiteral("⚠");
        case MediaQuality::Bad:
            return QStringLiteral("✖");
    }
    return {};
}

QColor mediaQualityColor(MediaQuality q, bool dark) {
    switch (q) {
        case MediaQuality::Good:
            return dark ? QColor(0x5c, 0xc8, 0x6e) : QColor(0x2e, 0x8b, 0x3e);
        case MediaQuality::Degraded:
            return dark ? QColor(0xf0, 0xb4, 0x3c) : QColor(0xc7, 0x7c, 0x02);
        case MediaQuality::Bad:
            return dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc6, 0x28, 0x28);
    }
    return {};
}

QString streamFigures(const LadderStream& s) {
    const QLocale en(QLocale::English, QLocale::UnitedStates);
    QString text = QStringLiteral("%1 %2 pkts %3% loss")
                       .arg(qs(s.codec.empty() ? std::string("RTP") : s.codec))
                       .arg(en.toString(static_cast<qulonglong>(s.packets)))
                       .arg(s.lossPct, 0, 'f', 1);
    if (s.mos) text += QStringLiteral(" MOS %1").arg(*s.mos, 0, 'f', 1);
    return text;
}

QString streamLabel(const LadderStream& s, bool rightward) {
    const QString body =
        QStringLiteral("%1 %2").arg(mediaQualitySymbol(mediaQuality(s)), streamFigures(s));
    return rightward ? body + QStringLiteral(" →") : QStringLiteral("← ") + body;
}

QString streamTooltip(const LadderStream& s) {
    const MediaQuality q = mediaQuality(s);
    QStringList problems;
    for (const auto& p : s.problems) problems << qs(p).replace(QLatin1Char('_'), QLatin1Char(' '));
    QString text = QStringLiteral(
                       "<b>RTP %1 %2</b> (%3)<br>%4:%5 → %6:%7<br>SSRC 0x%8<br>"
                       "%9 packets, %10 lost (%11 %)<br>jitter %12 ms, max delta %13 ms")
                       .arg(mediaQualitySymbol(q), qs(s.codec).toHtmlEscaped(), mediaQualityName(q))
                       .arg(qs(s.srcIp).toHtmlEscaped())
                       .arg(s.srcPort)
                       .arg(qs(s.dstIp).toHtmlEscaped())
                       .arg(s.dstPort)
                       .arg(s.ssrc, 8, 16, QLatin1Char('0'))
                       .arg(s.packets)
                       .arg(s.lost)
                       .arg(s.lossPct, 0, 'f', 2)
                       .arg(s.jitterMs, 0, 'f', 2)
                       .arg(s.maxDeltaMs, 0, 'f', 1);
    text += s.mos ? QStringLiteral("<br>MOS %1").arg(*s.mos, 0, 'f', 2)
                  : QStringLiteral("<br>MOS not estimated");
    text +=
        QStringLiteral("<br>%1 s").arg(static_cast<double>(s.endNs - s.startNs) / 1e9, 0, 'f', 2);
    if (!problems.isEmpty())
        text += QStringLiteral("<br>problems: %1").arg(problems.join(QStringLiteral(", ")));
    return text;
}

int mediaLane(const LadderLayout& layout, const std::string& ip, std::uint16_t port, int avoid) {
    const std::string token = ip + ":" + std::to_string(port);
    for (const auto& r : layout.rows) {
        const auto at = r.detail.find(token);
        const auto end = at + token.size();
        if (at != std::string::npos && (at == 0 || r.detail[at - 1] == ' ') &&
            (end == r.detail.size() || r.detail[end] == ' '))
            return static_cast<int>(r.from);
    }
    int any = -1;
    for (std::size_t i = 0; i < layout.lanes.size(); ++i) {
        if (!laneHasIp(layout.lanes[i], ip)) continue;
        if (static_cast<int>(i) != avoid) return static_cast<int>(i);
        any = static_cast<int>(i);
    }
    return any;
}

double ladderTimeToY(const LadderLayout& layout, const std::vector<double>& rowY, std::int64_t ns) {
    const std::size_t n = std::min(layout.rows.size(), rowY.size());
    if (n == 0) return 0;
    const auto tsOf = [&](std::size_t i) { return layout.rows[i].tsNs; };
    if (ns <= tsOf(0)) {
        const double before = static_cast<double>(tsOf(0) - ns) / 1e9 * 120;
        return rowY[0] - std::min(before, kBeyondRows);
    }
    std::size_t hi = 0;
    while (hi < n && tsOf(hi) <= ns) ++hi;
    if (hi == n) {
        const double after = static_cast<double>(ns - tsOf(n - 1)) / 1e9 * 120;
        return rowY[n - 1] + std::min(after, kBeyondRows);
    }
    const std::size_t lo = hi - 1;
    const double f = static_cast<double>(ns - tsOf(lo)) / static_cast<double>(tsOf(hi) - tsOf(lo));
    return rowY[lo] + f * (rowY[hi] - rowY[lo]);
}

std::int64_t ladderYToTime(const LadderLayout& layout, const std::vector<double>& rowY, double y) {
    const std::size_t n = std::min(layout.rows.size(), rowY.size());
    if (n == 0) return 0;
    if (y <= rowY[0]) return layout.rows[0].tsNs;
    for (std::size_t hi = 1; hi < n; ++hi) {
        if (y > rowY[hi]) continue;
        const std::size_t lo = hi - 1;
        const double span = rowY[hi] - rowY[lo];
        const double f = span > 0 ? (y - rowY[lo]) / span : 0;
        return layout.rows[lo].tsNs +
               static_cast<std::int64_t>(std::llround(
                   f * static_cast<double>(layout.rows[hi].tsNs - layout.rows[lo].tsNs)));
    }
    return layout.rows[n - 1].tsNs;
}

std::vector<double> mediaGaps(const LadderLayout& layout,
                              const std::vector<LadderStream>& streams) {
    std::vector<double> gaps(layout.rows.size(), 0.0);
    if (layout.rows.empty()) return gaps;
    for (const auto& s : streams) {
        // The first row after the stream's start gets the room (the gap above it).
        std::size_t i = 0;
        while (i < layout.rows.size() && layout.rows[i].tsNs <= s.startNs) ++i;
        if (i == 0 || i == layout.rows.size()) continue;
        gaps[i] += kStreamLabelStep;
    }
    for (double& g : gaps)
        if (g > 0) g += 20;  // the last label clears the next row's label
    return gaps;
}

namespace {

// The first row after `ns`: the stream's label must end above that row's arrow label.
std::size_t rowAfter(const LadderLayout& layout, std::int64_t ns) {
    std::size_t i = 0;
    while (i < layout.rows.size() && layout.rows[i].tsNs <= ns) ++i;
    return i;
}

// Labels beside their bar's start, without covering each other or the next row's label: each
// is moved down below the labels of the same gap placed before it, then those that would reach
// the next row are pushed up, the last first (mediaGaps() made room for all of them).
void placeLabels(const LadderLayout& layout, const std::vector<LadderStream>& streams,
                 const std::vector<double>& rowY, std::vector<StreamBar>& bars) {
    constexpr double kAboveArrow = 20;  // a row's own label sits above its arrow
    for (std::size_t i = 0; i < bars.size(); ++i) {
        auto& b = bars[i];
        for (std::size_t j = 0; j < i; ++j)
            if (bars[j].label.intersects(b.label)) b.label.moveTop(bars[j].label.bottom() + 1);
    }
    for (std::size_t k = bars.size(); k-- > 0;) {
        auto& b = bars[k];
        const std::size_t next = rowAfter(layout, streams[b.stream].startNs);
        double limit = next < rowY.size() ? rowY[next] - kAboveArrow : b.label.bottom();
        for (std::size_t j = k + 1; j < bars.size(); ++j)
            if (rowAfter(layout, streams[bars[j].stream].startNs) == next)
                limit = std::min(limit, bars[j].label.top() - 1);
        if (b.label.bottom() > limit) b.label.moveBottom(limit);
    }
}

}  // namespace

std::vector<StreamBar> placeStreamBars(const LadderLayout& layout,
                                       const std::vector<LadderStream>& streams,
                                       const std::vector<double>& laneX,
                                       const std::vector<double>& rowY, const QFont& font) {
    const QFontMetricsF fm(font);
    std::vector<StreamBar> bars;
    for (std::size_t i = 0; i < streams.size(); ++i) {
        const auto& s = streams[i];
        const int from = mediaLane(layout, s.srcIp, s.srcPort);
        const int to = mediaLane(layout, s.dstIp, s.dstPort, from);
        if (from < 0 || to < 0 || from == to || static_cast<std::size_t>(from) >= laneX.size() ||
            static_cast<std::size_t>(to) >= laneX.size())
            continue;
        StreamBar b;
        b.stream = i;
        b.from = static_cast<std::size_t>(from);
        b.to = static_cast<std::size_t>(to);
        b.rightward = laneX[b.to] > laneX[b.from];
        b.quality = mediaQuality(s);
        const double top = ladderTimeToY(layout, rowY, s.startNs);
        const double bottom = std::max(ladderTimeToY(layout, rowY, s.endNs), top + 4);
        int shift = 0;  // bars of the same lane and side that overlap this one in time
        for (const auto& o : bars)
            if (o.from == b.from && o.rightward == b.rightward && o.bar.bottom() > top &&
                o.bar.top() < bottom)
                ++shift;
        const double offset = kBarInset + shift * kBarShift;
        const double x = b.rightward ? laneX[b.from] + offset : laneX[b.from] - offset - kBarWidth;
        b.bar = QRectF(x, top, kBarWidth, bottom - top);
        const double room = std::abs(laneX[b.to] - laneX[b.from]) - offset - kBarWidth - 16;
        b.text = fm.elidedText(streamLabel(s, b.rightward), Qt::ElideMiddle, std::max(room, 20.0));
        const double w = fm.horizontalAdvance(b.text) + 6;
        const double lx = b.rightward ? b.bar.right() + 4 : b.bar.left() - 4 - w;
        b.label = QRectF(lx, top + 2, w, fm.height());
        bars.push_back(std::move(b));
    }
    placeLabels(layout, streams, rowY, bars);
    return bars;
}

}  // namespace sipscope::gui
