// The ladder as SVG: a standalone file that browsers (and QtSvg, which knows neither markers
// nor paint-order) draw the same way, so arrowheads are polygons and label backgrounds are
// rectangles. Text widths are estimated from character counts, generously, as no font
// metrics are at hand; long texts are cut with an ellipsis and kept whole in a <title>.

#include <algorithm>
#include <cmath>

#include "ladder/ladder_layout.hpp"

namespace sipscope::analyzer {

namespace {

constexpr double kMargin = 16;
constexpr double kCharW = 7.0;    // 12px sans-serif
constexpr double kMonoW = 6.8;    // 11px monospace
constexpr double kSmallW = 6.2;   // 10px text
constexpr double kLineH = 13;     // header text lines
constexpr double kSelfLoop = 30;  // width of a self-arrow's loop
constexpr int kLegColours = 4;

const char* kStyle = R"(
text{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;font-size:12px;fill:#222}
.title{font-size:15px;font-weight:bold}
.cap{font-size:11px;fill:#555}
.hbox{fill:#f4f6fa;stroke:#8a94a6}
.fbox{fill:#fff4df;stroke:#c98a1a}
.hname{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:11px;font-weight:bold}
.hsub{font-size:10px;fill:#444}
.lane{stroke:#b5bcc8;stroke-width:1}
.fork{fill:none;stroke:#c98a1a;stroke-width:1.5}
.forkt{font-size:11px;fill:#98650c}
.time{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:11px;fill:#333}
.gap{font-size:10px;fill:#888;font-style:italic}
.ln{stroke-width:1.6;fill:none}
.c0{stroke:#1f4e9a}.h0{fill:#1f4e9a}.c1{stroke:#1b7a3a}.h1{fill:#1b7a3a}
.c2{stroke:#8a4b08}.h2{fill:#8a4b08}.c3{stroke:#6a1b9a}.h3{fill:#6a1b9a}
.rtx{stroke:#8c8c8c;stroke-dasharray:6 4}.dup{stroke:#8c8c8c;stroke-dasharray:2 3}
.hgrey{fill:#8c8c8c}
.lgrey{fill:#707070;font-style:italic}
.lbg{fill:#ffffff;fill-opacity:0.85}
.bg{fill:#ffffff}
.det{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:10px;fill:#555}
.anom{fill:#d32f2f}.anomt{fill:#ffffff;font-size:10px;font-weight:bold}
.hit{fill:#ffffff;fill-opacity:0}
)";

// Fixed one-decimal numbers, independent of the C locale.
std::string num(double v) {
    const long long t = std::llround(v * 10);
    const long long a = t < 0 ? -t : t;
    std::string s = (t < 0 ? "-" : "") + std::to_string(a / 10);
    if (a % 10) s += "." + std::to_string(a % 10);
    return s;
}

std::size_t glyphCount(std::string_view s) {
    std::size_t n = 0;
    forEachCodePoint(s, [&](char32_t, std::string_view) { ++n; });
    return n;
}

double textW(std::string_view s, double charW) {
    return static_cast<double>(glyphCount(s)) * charW;
}

// At most `maxW` wide (by the estimate), cut with an ellipsis.
std::string cut(std::string_view s, double maxW, double charW) {
    const auto keep = static_cast<std::size_t>(std::max(1.0, maxW / charW));
    if (glyphCount(s) <= keep) return std::string(s);
    std::string out;
    std::size_t n = 0;
    forEachCodePoint(s, [&](char32_t, std::string_view bytes) {
        if (++n < keep) out += bytes;
    });
    return out + "\xE2\x80\xA6";
}

std::string rowLabel(const LadderRow& r) {
    return r.label + (r.retransmission ? " (rtx)" : "") + (r.duplicate ? " (dup)" : "");
}

std::string endpointLine(const LadderLane& lane) {
    if (lane.endpoints.empty()) return {};
    std::string s = lane.endpoints.front();
    if (lane.endpoints.size() > 1) s += " +" + std::to_string(lane.endpoints.size() - 1);
    return s == lane.name ? std::string() : s;
}

std::vector<std::string> headerLines(const LadderLane& lane) {
    std::vector<std::string> v{lane.name};
    for (std::string s : {endpointLine(lane), lane.role, lane.userAgent})
        if (!s.empty()) v.push_back(std::move(s));
    return v;
}

struct Geometry {
    double timeW = 0, spacing = 0, width = 0, height = 0;
    double headTop = 0, headH = 0, rowsTop = 0;
    std::vector<double> x;
    LadderRowPositions pos;
    double laneX(std::size_t i) const { return x[i]; }
};

Geometry plan(const LadderLayout& layout, const LadderOptions& opt) {
    Geometry g;
    std::size_t timeChars = 4, headLines = 1;
    double need = 150, rightExtra = 0;
    for (const LadderRow& r : layout.rows) {
        timeChars = std::max(timeChars, glyphCount(r.time));
        const double w = std::max(textW(rowLabel(r), kCharW) + 44, textW(r.detail, kSmallW) + 24);
        const auto span = static_cast<double>(r.from > r.to ? r.from - r.to : r.to - r.from);
        if (span > 0) need = std::max(need, w / span);
        if (r.self && r.from + 1 == layout.lanes.size()) rightExtra = std::max(rightExtra, w);
    }
    for (const LadderLane& lane : layout.lanes) {
        const auto lines = headerLines(lane);
        headLines = std::max(headLines, lines.size());
        for (const auto& l : lines) need = std::max(need, textW(l, kMonoW) + 24);
    }
    g.spacing = std::min(need, 300.0);
    g.timeW = static_cast<double>(timeChars) * kMonoW + 20;
    for (std::size_t i = 0; i < layout.lanes.size(); ++i)
        g.x.push_back(kMargin + g.timeW + g.spacing / 2 + static_cast<double>(i) * g.spacing);
    const double lastX = g.x.empty() ? kMargin + g.timeW : g.x.back();
    g.width = lastX + std::max(g.spacing / 2, rightExtra + kSelfLoop) + kMargin;
    g.headTop = kMargin + 44 + (layout.legs.size() > 1 ? 14.0 * layout.legs.size() : 0) +
                (layout.forks.empty() ? 0 : 22);
    g.headH = 10 + kLineH * static_cast<double>(headLines);
    g.rowsTop = g.headTop + g.headH + 36;
    LadderSpacing sp;
    sp.proportional = !opt.compact;
    g.pos = ladderRowPositions(layout, sp);
    g.height = g.rowsTop + g.pos.height + 44;
    return g;
}

struct Svg {
    std::string s;
    Svg& operator<<(std::string_view v) {
        s += v;
        return *this;
    }
    void text(double x, double y, const char* cls, std::string_view t,
              const char* anchor = nullptr) {
        *this << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\" class=\"" << cls << "\"";
        if (anchor) *this << " text-anchor=\"" << anchor << "\"";
        *this << ">" << escapeXml(t) << "</text>\n";
    }
    void rect(double x, double y, double w, double h, const char* cls) {
        *this << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\"" << num(w)
              << "\" height=\"" << num(h) << "\" class=\"" << cls << "\"/>\n";
    }
};

void drawHeaders(Svg& o, const LadderLayout& layout, const Geometry& g) {
    const double boxW = g.spacing - 14;
    for (const LadderFork& f : layout.forks) {
        const double a = g.x[f.first] - boxW / 2, b = g.x[f.last] + boxW / 2, y = g.headTop - 8;
        o << "<path class=\"fork\" d=\"M" << num(a) << " " << num(y + 6) << "V" << num(y) << "H"
          << num(b) << "V" << num(y + 6) << "\"/>\n";
        o.text((a + b) / 2, y - 4, "forkt",
               cut("fork via " + layout.lanes[f.proxy].name, b - a, kSmallW), "middle");
    }
    for (std::size_t i = 0; i < layout.lanes.size(); ++i) {
        const LadderLane& lane = layout.lanes[i];
        const double x = g.x[i];
        o << "<g class=\"lanehead\"><title>" << escapeXml(lane.id + " " + lane.name);
        for (const auto& ep : lane.endpoints) o << "\n" << escapeXml(ep);
        o << "</title>\n";
        o.rect(x - boxW / 2, g.headTop, boxW, g.headH, lane.fork >= 0 ? "fbox" : "hbox");
        const auto lines = headerLines(lane);
        for (std::size_t k = 0; k < lines.size(); ++k)
            o.text(x, g.headTop + 16 + kLineH * static_cast<double>(k), k ? "hsub" : "hname",
                   cut(lines[k], boxW - 8, k ? kSmallW : kMonoW), "middle");
        o << "</g>\n<line class=\"lane\" x1=\"" << num(x) << "\" y1=\"" << num(g.headTop + g.headH)
          << "\" x2=\"" << num(x) << "\" y2=\"" << num(g.height - 30) << "\"/>\n";
    }
}

// The message's first lines (or what is known of it) as the group's tooltip.
std::string tooltip(const LadderInput& in, const LadderLayout& layout, const LadderRow& r) {
    const LadderMessage& m = in.messages[r.message];
    std::string t = r.time + "  " + rowLabel(r) + "\n" + m.src + " -> " + m.dst;
    if (!m.transport.empty()) t += " (" + m.transport + ")";
    if (layout.legs.size() > 1) t += "\nleg " + std::to_string(r.leg) + ", Call-ID " + m.callId;
    std::size_t at = 0;
    for (int line = 0; line < 6 && at < m.rawText.size(); ++line) {
        const std::size_t end = std::min(m.rawText.find('\n', at), m.rawText.size());
        std::string l = m.rawText.substr(at, end - at);
        if (!l.empty() && l.back() == '\r') l.pop_back();
        if (l.empty()) break;
        t += (line ? "\n" : "\n\n") + l;
        at = end + 1;
    }
    if (!r.anomalies.empty()) {
        t += "\nanomalies:";
        for (const auto& a : r.anomalies) t += " " + a;
    }
    return t;
}

void drawAnomaly(Svg& o, double x, double y, const LadderRow& r) {
    std::string codes = "anomaly:";
    for (const auto& a : r.anomalies) codes += " " + a;
    o << "<g class=\"anomaly\"><title>" << escapeXml(codes) << "</title><circle cx=\"" << num(x)
      << "\" cy=\"" << num(y) << "\" r=\"6.5\" class=\"anom\"/>\n";
    o.text(x, y + 3.5, "anomt", "!", "middle");
    o << "</g>\n";
}

void drawArrow(Svg& o, const Geometry& g, const LadderRow& r, double y) {
    const std::string colour = std::to_string(((r.leg % kLegColours) + kLegColours) % kLegColours);
    const std::string ln = "ln " + (r.retransmission ? std::string("rtx")
                                    : r.duplicate    ? std::string("dup")
                                                     : "c" + colour);
    const std::string head = r.retransmission || r.duplicate ? "hgrey" : "h" + colour;
    const double x1 = g.x[r.from], x2 = g.x[r.to];
    const double d = r.self ? -1 : (x2 > x1 ? 1 : -1);
    const double tipY = r.self ? y + 6 : y;
    if (r.self)
        o << "<path class=\"" << ln << "\" d=\"M" << num(x1) << " " << num(y - 6) << "h"
          << num(kSelfLoop) << "v12h" << num(-kSelfLoop + 9) << "\"/>\n";
    else
        o << "<line class=\"" << ln << "\" x1=\"" << num(x1) << "\" y1=\"" << num(y) << "\" x2=\""
          << num(x2 - d * 9) << "\" y2=\"" << num(y) << "\"/>\n";
    o << "<polygon class=\"" << head << "\" points=\"" << num(x2) << "," << num(tipY) << " "
      << num(x2 - d * 10) << "," << num(tipY - 4.5) << " " << num(x2 - d * 10) << ","
      << num(tipY + 4.5) << "\"/>\n";
}

void drawRow(Svg& o, const LadderInput& in, const LadderLayout& layout, const Geometry& g,
             std::size_t i) {
    const LadderRow& r = layout.rows[i];
    const double y = g.rowsTop + g.pos.y[i];
    o << "<g class=\"msg\" id=\"msg-" << std::to_string(i) << "\" data-index=\""
      << std::to_string(i) << "\" data-id=\"" << std::to_string(r.id) << "\"><title>"
      << escapeXml(tooltip(in, layout, r)) << "</title>\n";
    o.rect(kMargin, y - 22, g.width - 2 * kMargin, r.detail.empty() ? 30 : 42, "hit");
    if (i > 0 && g.pos.gapCapped[i])
        o.text(kMargin + g.timeW - 10, y - 24, "gap",
               "(" + formatSeconds(static_cast<std::int64_t>(r.sincePrevS * 1e9), 3) + " s)",
               "end");
    o.text(kMargin + g.timeW - 10, y + 4, "time", r.time, "end");
    drawArrow(o, g, r, y);
    const std::string label = rowLabel(r);
    const double maxW = r.self ? g.width - g.x[r.from] - kSelfLoop - 30 : 2 * g.spacing;
    const std::string shown = cut(label, maxW, kCharW);
    const double w = textW(shown, kCharW) + 6;
    const double mid = r.self ? g.x[r.from] + kSelfLoop + 8 + w / 2 : (g.x[r.from] + g.x[r.to]) / 2;
    o.rect(mid - w / 2, y - 20, w, 15, "lbg");
    o.text(mid, y - 8, r.retransmission || r.duplicate ? "lgrey" : "lbl", shown, "middle");
    if (!r.detail.empty()) {
        const std::string det = cut(r.detail, std::max(maxW, g.spacing), kSmallW);
        const double dw = textW(det, kSmallW) + 6;
        o.rect(mid - dw / 2, y + 4, dw, 13, "lbg");
        o.text(mid, y + 14, "det", det, "middle");
    }
    if (!r.anomalies.empty()) drawAnomaly(o, mid + w / 2 + 10, y - 12, r);
    o << "</g>\n";
}

void drawLegend(Svg& o, const LadderLayout& layout, const Geometry& g) {
    double x = kMargin;
    const double y = g.height - 14;
    auto item = [&](const char* cls, const std::string& what) {
        o << "<line class=\"ln " << cls << "\" x1=\"" << num(x) << "\" y1=\"" << num(y - 4)
          << "\" x2=\"" << num(x + 24) << "\" y2=\"" << num(y - 4) << "\"/>\n";
        o.text(x + 30, y, "cap", what);
        x += 30 + textW(what, kSmallW) + 18;
    };
    if (layout.legs.size() > 1)
        for (const LadderLeg& leg : layout.legs)
            item(("c" + std::to_string(((leg.leg % kLegColours) + kLegColours) % kLegColours))
                     .c_str(),
                 "leg " + std::to_string(leg.leg));
    if (layout.anyRetransmission) item("rtx", "retransmission");
    if (layout.anyDuplicate) item("dup", "duplicate copy");
    if (layout.anyAnomaly) {
        o << "<circle cx=\"" << num(x + 6) << "\" cy=\"" << num(y - 4)
          << "\" r=\"6.5\" class=\"anom\"/>\n";
        o.text(x + 16, y, "cap", "anomaly (hover for codes)");
    }
}

}  // namespace

std::string renderLadderSvg(const LadderInput& input, const LadderLayout& layout,
                            const LadderOptions& options, bool standalone) {
    const Geometry g = plan(layout, options);
    Svg o;
    if (standalone) o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    o << "<svg" << (standalone ? " xmlns=\"http://www.w3.org/2000/svg\"" : "")
      << " class=\"ladder\""
      << " width=\"" << num(g.width) << "\" height=\"" << num(g.height) << "\" viewBox=\"0 0 "
      << num(g.width) << " " << num(g.height) << "\">\n<title>" << escapeXml(layout.title)
      << "</title>\n<style>" << kStyle << "</style>\n";
    o.rect(0, 0, g.width, g.height, "bg");
    o.text(kMargin, kMargin + 12, "title", cut(layout.title, g.width - 2 * kMargin, 8.5));
    o.text(kMargin, kMargin + 28, "cap", layout.timeCaption);
    double y = kMargin + 42;
    if (layout.legs.size() > 1)
        for (const LadderLeg& leg : layout.legs) {
            o.text(kMargin, y, "cap", "leg " + std::to_string(leg.leg) + ": Call-ID " + leg.callId);
            y += 14;
        }
    drawHeaders(o, layout, g);
    for (std::size_t i = 0; i < layout.rows.size(); ++i) drawRow(o, input, layout, g, i);
    drawLegend(o, layout, g);
    o << "</svg>\n";
    return o.s;
}

}  // namespace sipscope::analyzer
