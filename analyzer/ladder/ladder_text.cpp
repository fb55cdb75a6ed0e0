// The ladder as plain text for a terminal: deterministic, never wider than
// LadderOptions::textWidth. Three shapes, tried in order:
//   1. a grid with the lane headers (name, endpoint, role, user agent) above the lanes;
//   2. the same grid with lane ids ("L1") in the headers and a legend above, when the lanes had
//      to be packed too closely for their names;
//   3. a list, "time  L1 -> L2  label", when even kMinSpacing columns per lane do not fit.
// A label that does not fit inside its arrow goes on its own line above the arrow.

#include <algorithm>

#include "ladder/ladder_layout.hpp"

namespace sipscope::analyzer {

namespace {

constexpr int kMinSpacing = 10;
constexpr int kMaxSpacing = 40;

using Glyphs = std::vector<std::string>;  // one string per terminal column

struct Charset {
    const char *bar, *fill, *dotted, *right, *left, *top, *bottom, *ellipsis;
};
constexpr Charset kAscii{"|", "-", ".", ">", "<", "+", "+", "~"};
constexpr Charset kUnicode{"│", "─", "┄", "▶", "◀", "┐", "┘", "…"};

int len(const Glyphs& g) {
    return static_cast<int>(g.size());
}

struct Painter {
    const LadderLayout& layout;
    const LadderOptions& opt;
    const Charset& cs;
    int width;
    std::vector<Glyphs> lines;

    // Controls become '?'; in ASCII mode so does everything outside ASCII.
    Glyphs glyphs(std::string_view s) const {
        Glyphs g;
        forEachCodePoint(s, [&](char32_t cp, std::string_view bytes) {
            const bool control = cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
            if (control || (!opt.unicode && cp >= 0x80))
                g.emplace_back(cp == '\t' ? " " : "?");
            else
                g.emplace_back(bytes);
        });
        return g;
    }
    Glyphs fit(Glyphs g, int w) const {
        if (len(g) <= w) return g;
        g.resize(static_cast<std::size_t>(std::max(w, 0)));
        if (w > 0) g.back() = cs.ellipsis;
        return g;
    }
    Glyphs& line() { return lines.emplace_back(static_cast<std::size_t>(width), " "); }
    void put(Glyphs& l, int col, const Glyphs& text) const {
        for (int i = 0; i < len(text); ++i)
            if (col + i >= 0 && col + i < width) l[static_cast<std::size_t>(col + i)] = text[i];
    }
    void put(Glyphs& l, int col, const char* glyph) const { put(l, col, Glyphs{glyph}); }
    void text(std::string_view s) { put(line(), 0, fit(glyphs(s), width)); }
    std::string str() const {
        std::string out;
        for (const Glyphs& l : lines) {
            std::string s;
            for (const auto& g : l) s += g;
            s.erase(s.find_last_not_of(' ') + 1);
            out += s + "\n";
        }
        return out;
    }
};

std::string rowLabel(const LadderRow& r) {
    return r.label + (r.retransmission ? " (rtx)" : "") + (r.duplicate ? " (dup)" : "");
}

std::string joined(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

std::string endpointLine(const LadderLane& lane) {
    if (lane.endpoints.empty()) return {};
    std::string s = lane.endpoints.front();
    if (lane.endpoints.size() > 1) s += " +" + std::to_string(lane.endpoints.size() - 1);
    return s == lane.name ? std::string() : s;
}

void titleBlock(Painter& p) {
    p.text(p.layout.title);
    p.text(p.layout.timeCaption);
    if (p.layout.legs.size() > 1)
        for (const LadderLeg& leg : p.layout.legs)
            p.text("leg " + std::to_string(leg.leg) + ": Call-ID " + leg.callId);
    p.line();
}

void legendBlock(Painter& p) {
    for (const LadderLane& lane : p.layout.lanes) {
        std::string s = "  " + lane.id + " = " + lane.name;
        const std::string ep = endpointLine(lane);
        if (!ep.empty()) s += " " + ep;
        std::vector<std::string> about;
        for (const std::string* v : {&lane.role, &lane.userAgent})
            if (!v->empty()) about.push_back(*v);
        if (!about.empty()) s += " (" + joined(about, ", ") + ")";
        if (lane.fork >= 0)
            s += " [fork via " +
                 p.layout.lanes[p.layout.forks[static_cast<std::size_t>(lane.fork)].proxy].id + "]";
        p.text(s);
    }
    p.line();
}

void marksLegend(Painter& p) {
    std::vector<std::string> marks;
    if (p.layout.anyRetransmission) marks.emplace_back("(rtx) retransmission");
    if (p.layout.anyDuplicate) marks.emplace_back("(dup) duplicate copy");
    if (p.layout.anyAnomaly) marks.emplace_back("! anomaly");
    if (!marks.empty()) p.text(joined(marks, "   "));
}

// ---- list ----

std::string renderList(Painter& p) {
    titleBlock(p);
    p.text("lanes:");
    legendBlock(p);
    int timeW = 0, pathW = 0;
    for (const LadderRow& r : p.layout.rows) {
        timeW = std::max(timeW, len(p.glyphs(r.time)));
        pathW = std::max(
            pathW, len(p.glyphs(p.layout.lanes[r.from].id + " -> " + p.layout.lanes[r.to].id)));
    }
    const int labelCol = timeW + 2 + pathW + 2;
    for (const LadderRow& r : p.layout.rows) {
        Glyphs& l = p.line();
        const Glyphs t = p.glyphs(r.time);
        p.put(l, timeW - len(t), t);
        p.put(l, timeW + 2, p.glyphs(p.layout.lanes[r.from].id + " -> " + p.layout.lanes[r.to].id));
        std::string label = rowLabel(r);
        if (!r.anomalies.empty()) label += "  ! " + joined(r.anomalies, ",");
        p.put(l, labelCol, p.fit(p.glyphs(label), p.width - labelCol));
        if (!r.detail.empty())
            p.put(p.line(), labelCol + 2, p.fit(p.glyphs(r.detail), p.width - labelCol - 2));
    }
    p.line();
    marksLegend(p);
    return p.str();
}

// ---- grid ----

struct Grid {
    int timeW = 0, spacing = 0;
    bool legend = false;
    std::vector<int> col;
};

// A label fits inside its arrow with a space and at least one fill character on each side
// besides the arrowhead: "|- INVITE -->|".
int labelRoom(int span) {
    return span - 6;
}

int headerWidth(const Painter& p, const LadderLane& lane) {
    return std::max(len(p.glyphs(lane.name)), len(p.glyphs(endpointLine(lane))));
}

bool planGrid(const Painter& p, Grid& g) {
    const auto n = static_cast<int>(p.layout.lanes.size());
    for (const LadderRow& r : p.layout.rows) g.timeW = std::max(g.timeW, len(p.glyphs(r.time)));
    g.timeW += 2;
    int need = 14, names = 0;
    for (const LadderRow& r : p.layout.rows) {
        const int span = std::abs(static_cast<int>(r.to) - static_cast<int>(r.from));
        if (span > 0) need = std::max(need, (len(p.glyphs(rowLabel(r))) + 6 + span - 1) / span);
    }
    for (const LadderLane& lane : p.layout.lanes) names = std::max(names, headerWidth(p, lane) + 2);
    // Room for half of the outer lanes' names beyond the outer lanes.
    int leftPad = std::max(0, headerWidth(p, p.layout.lanes.front()) / 2 - g.timeW);
    int rightPad = std::min(headerWidth(p, p.layout.lanes.back()) / 2, kMaxSpacing / 2);
    auto spacing = [&] {
        const int avail = p.width - g.timeW - leftPad - rightPad - 1;
        return n < 2
                   ? avail
                   : std::min(avail / (n - 1), std::clamp(std::max(need, names), 26, kMaxSpacing));
    };
    g.spacing = spacing();
    g.legend = n > 1 && names > g.spacing + 1;
    if (g.legend) {  // the headers are lane ids now
        leftPad = 0;
        rightPad = 1;
        g.spacing = spacing();
    }
    if (g.spacing < kMinSpacing) return false;
    for (int i = 0; i < n; ++i) g.col.push_back(g.timeW + leftPad + (n < 2 ? 2 : i * g.spacing));
    return true;
}

Glyphs& barsLine(Painter& p, const Grid& g) {
    Glyphs& l = p.line();
    for (int c : g.col) p.put(l, c, p.cs.bar);
    return l;
}

// Centred on column `c`, kept within [lo, hi].
void putCentred(Painter& p, Glyphs& l, int c, int lo, int hi, const Glyphs& text) {
    const Glyphs t = p.fit(text, hi - lo + 1);
    const int start = std::clamp(c - len(t) / 2, lo, hi + 1 - len(t));
    p.put(l, start, t);
}

void forkBrackets(Painter& p, const Grid& g) {
    if (p.layout.forks.empty()) return;
    Glyphs& l = p.line();
    for (const LadderFork& f : p.layout.forks) {
        const int a = g.col[f.first], b = g.col[f.last];
        for (int c = a; c <= b; ++c) p.put(l, c, c == a || c == b ? "+" : p.cs.fill);
        const LadderLane& proxy = p.layout.lanes[f.proxy];
        Glyphs label = p.glyphs(" fork via " + (g.legend ? proxy.id : proxy.name) + " ");
        if (len(label) > b - a - 1) label = p.glyphs(" fork ");
        if (len(label) <= b - a - 1) putCentred(p, l, (a + b) / 2, a + 1, b - 1, label);
    }
}

void headers(Painter& p, const Grid& g) {
    forkBrackets(p, g);
    std::vector<std::vector<std::string>> cells;
    for (const LadderLane& lane : p.layout.lanes)
        cells.push_back(g.legend ? std::vector<std::string>{lane.id}
                                 : std::vector<std::string>{lane.name, endpointLine(lane),
                                                            lane.role, lane.userAgent});
    const std::size_t rows = cells.front().size();
    for (std::size_t k = 0; k < rows; ++k) {
        if (std::all_of(cells.begin(), cells.end(), [&](const auto& c) { return c[k].empty(); }))
            continue;
        Glyphs& l = p.line();
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const int lo = i == 0 ? 0 : (g.col[i - 1] + g.col[i]) / 2 + 1;
            const int hi = i + 1 == cells.size() ? p.width - 1 : (g.col[i] + g.col[i + 1]) / 2;
            putCentred(p, l, g.col[i], lo, hi, p.glyphs(cells[i][k]));
        }
    }
    barsLine(p, g);
}

// Anomaly codes after the line's content, or on a line of their own.
void anomalies(Painter& p, const Grid& g, std::size_t lineIndex, const LadderRow& r, int at) {
    if (r.anomalies.empty()) return;
    const Glyphs mark = p.glyphs("! " + joined(r.anomalies, ","));
    const Glyphs& l = p.lines[lineIndex];
    int end = static_cast<int>(l.size());
    while (end > 0 && l[static_cast<std::size_t>(end - 1)] == " ") --end;
    const int start = std::max(end + 2, g.col.back() + 2);
    if (start + len(mark) <= p.width)
        p.put(p.lines[lineIndex], start, mark);
    else
        p.put(barsLine(p, g), at, p.fit(mark, p.width - at));
}

int selfArrow(Painter& p, const Grid& g, const LadderRow& r, Glyphs& arrow) {
    const int c = g.col[r.from];
    const Glyphs label = p.glyphs(rowLabel(r));
    const bool left = c + 5 + len(label) > p.width && c - 5 - len(label) >= g.timeW;
    const int d = left ? -1 : 1;
    const char* fill = r.retransmission || r.duplicate ? p.cs.dotted : p.cs.fill;
    p.put(arrow, c + d, fill);
    p.put(arrow, c + 2 * d, fill);
    p.put(arrow, c + 3 * d, p.cs.top);
    const int at = left ? c - 5 - len(label) : c + 5;
    p.put(arrow, at, p.fit(label, p.width - at));
    Glyphs& back = barsLine(p, g);
    p.put(back, c + d, left ? p.cs.right : p.cs.left);
    p.put(back, c + 2 * d, fill);
    p.put(back, c + 3 * d, p.cs.bottom);
    return at;
}

// Returns the column where a row's extra lines (detail, anomalies) start.
int arrowRow(Painter& p, const Grid& g, const LadderRow& r) {
    const int a = g.col[r.from], b = g.col[r.to];
    const int lo = std::min(a, b), hi = std::max(a, b);
    const Glyphs label = p.glyphs(rowLabel(r));
    const bool inside = len(label) <= labelRoom(hi - lo);
    if (!inside) {
        const int start = std::max(0, std::min(lo + 2, p.width - len(label)));
        p.put(barsLine(p, g), start, p.fit(label, p.width - start));
    }
    Glyphs& l = barsLine(p, g);
    const Glyphs t = p.glyphs(r.time);
    p.put(l, g.timeW - 2 - len(t), t);
    const char* fill = r.retransmission || r.duplicate ? p.cs.dotted : p.cs.fill;
    for (int c = lo + 1; c < hi; ++c) p.put(l, c, fill);
    p.put(l, b > a ? hi - 1 : lo + 1, b > a ? p.cs.right : p.cs.left);
    if (inside) {
        Glyphs padded{" "};
        padded.insert(padded.end(), label.begin(), label.end());
        padded.emplace_back(" ");
        const int slack = hi - lo - 3 - len(padded);  // odd: the extra fill goes by the head
        p.put(l, lo + 2 + (b > a ? slack / 2 : (slack + 1) / 2), padded);
    }
    return lo + 2;
}

std::string renderGrid(Painter& p, const Grid& g) {
    titleBlock(p);
    if (g.legend) legendBlock(p);
    headers(p, g);
    for (const LadderRow& r : p.layout.rows) {
        int at = 0;
        std::size_t arrowLine = 0;
        if (r.self) {
            Glyphs& l = barsLine(p, g);
            const Glyphs t = p.glyphs(r.time);
            p.put(l, g.timeW - 2 - len(t), t);
            arrowLine = p.lines.size() - 1;
            at = selfArrow(p, g, r, l);
        } else {
            at = arrowRow(p, g, r);
            arrowLine = p.lines.size() - 1;
        }
        if (!r.detail.empty()) p.put(barsLine(p, g), at, p.fit(p.glyphs(r.detail), p.width - at));
        anomalies(p, g, arrowLine, r, at);
    }
    barsLine(p, g);
    p.line();
    marksLegend(p);
    return p.str();
}

}  // namespace

std::string renderLadderText(const LadderLayout& layout, const LadderOptions& options) {
    Painter p{
        layout, options, options.unicode ? kUnicode : kAscii, std::max(options.textWidth, 20), {}};
    if (layout.rows.empty()) {
        titleBlock(p);
        return p.str();
    }
    Grid g;
    return planGrid(p, g) ? renderGrid(p, g) : renderList(p);
}

}  // namespace sipscope::analyzer
