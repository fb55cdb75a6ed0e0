#include "ladder/ladder_layout.hpp"

#include <algorithm>
#include <ctime>
#include <map>

namespace sipscope::analyzer {

namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

std::string pad2(int v) {
    return (v < 10 ? "0" : "") + std::to_string(v);
}

std::string fraction(std::int64_t nsOfSecond, int digits) {
    if (digits <= 0) return {};
    std::string f = std::to_string(nsOfSecond);
    f.insert(0, 9 - f.size(), '0');
    return "." + f.substr(0, static_cast<std::size_t>(std::min(digits, 9)));
}

std::tm utc(std::int64_t ns) {
    const std::time_t secs = static_cast<std::time_t>(floorDiv(ns, kNsPerSecond));
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return tm;
}

std::string clockTime(std::int64_t ns, int digits) {
    const std::tm tm = utc(ns);
    return pad2(tm.tm_hour) + ":" + pad2(tm.tm_min) + ":" + pad2(tm.tm_sec) +
           fraction(ns - floorDiv(ns, kNsPerSecond) * kNsPerSecond, digits);
}

std::string date(std::int64_t ns) {
    const std::tm tm = utc(ns);
    return std::to_string(tm.tm_year + 1900) + "-" + pad2(tm.tm_mon + 1) + "-" + pad2(tm.tm_mday);
}

bool startsWithStatus(std::string_view label) {
    return label.size() >= 3 &&
           std::all_of(label.begin(), label.begin() + 3,
                       [](char c) { return c >= '0' && c <= '9'; }) &&
           (label.size() == 3 || label[3] == ' ');
}

bool isRequest(const LadderMessage& m) {
    if (!m.method.empty()) return true;
    return m.status == 0 && !startsWithStatus(m.label);
}

std::string messageLabel(const LadderMessage& m) {
    if (!m.label.empty()) return m.label;
    if (!m.method.empty()) return m.method;
    if (m.status == 0) return "?";
    std::string s = std::to_string(m.status);
    if (!m.reason.empty()) s += " " + m.reason;
    if (!m.cseqMethod.empty()) s += " (" + m.cseqMethod + ")";
    return s;
}

bool isInvite(const LadderMessage& m) {
    if (!isRequest(m)) return false;
    if (!m.method.empty()) return m.method == "INVITE";
    return m.label == "INVITE" || m.label.rfind("INVITE ", 0) == 0;
}

struct ForkCandidate {
    std::string callId, proxy;
    std::vector<std::string> branches;
};

// Shared state of one layoutLadder() call.
struct Builder {
    const LadderInput& in;
    const LadderOptions& opt;
    std::vector<std::size_t> visible;  // message indices, by time
    std::vector<std::string> order;    // lane keys
    std::map<std::string, std::size_t> laneOf;
    std::vector<ForkCandidate> forks;  // placed, lanes adjacent

    std::string laneKey(const std::string& endpoint) const {
        const auto it = opt.mergeLanes.find(endpoint);
        return it == opt.mergeLanes.end() ? endpoint : it->second;
    }
    bool hidden(const std::string& endpoint) const {
        return opt.hiddenLanes.count(endpoint) || opt.hiddenLanes.count(laneKey(endpoint));
    }
};

void selectMessages(Builder& b) {
    for (std::size_t i = 0; i < b.in.messages.size(); ++i) {
        const auto& m = b.in.messages[i];
        if (!b.hidden(m.src) && !b.hidden(m.dst)) b.visible.push_back(i);
    }
    std::stable_sort(b.visible.begin(), b.visible.end(), [&](std::size_t x, std::size_t y) {
        return b.in.messages[x].tsNs < b.in.messages[y].tsNs;
    });
}

// First appearance, grouped by the leg a lane first appears in (legs by first message).
void orderLanes(Builder& b) {
    std::vector<std::string> seen;
    std::map<std::string, int> firstLeg;
    std::vector<int> legOrder;
    for (std::size_t i : b.visible) {
        const auto& m = b.in.messages[i];
        if (std::find(legOrder.begin(), legOrder.end(), m.leg) == legOrder.end())
            legOrder.push_back(m.leg);
        for (const std::string& key : {b.laneKey(m.src), b.laneKey(m.dst)}) {
            if (firstLeg.emplace(key, m.leg).second) seen.push_back(key);
        }
    }
    for (int leg : legOrder)
        for (const auto& key : seen)
            if (firstLeg[key] == leg) b.order.push_back(key);
}

// A proxy of the call (it received the call's INVITE) that sent it on to two or more lanes
// other than those it came from: parallel or sequential forking (RFC 3261 §16.1, §16.6).
std::vector<ForkCandidate> findForks(const Builder& b) {
    std::vector<ForkCandidate> sent;  // per (Call-ID, sender), first INVITE first
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> receivedFrom;
    for (std::size_t i : b.visible) {
        const auto& m = b.in.messages[i];
        if (!isInvite(m) || m.retransmission || m.duplicate) continue;
        const std::string src = b.laneKey(m.src), dst = b.laneKey(m.dst);
        if (src == dst) continue;
        receivedFrom[{m.callId, dst}].push_back(src);
        auto it = std::find_if(sent.begin(), sent.end(), [&](const ForkCandidate& f) {
            return f.callId == m.callId && f.proxy == src;
        });
        if (it == sent.end()) it = sent.insert(sent.end(), {m.callId, src, {}});
        if (std::find(it->branches.begin(), it->branches.end(), dst) == it->branches.end())
            it->branches.push_back(dst);
    }
    std::vector<ForkCandidate> forks;
    for (ForkCandidate& f : sent) {
        const auto up = receivedFrom.find({f.callId, f.proxy});
        if (up == receivedFrom.end()) continue;
        std::erase_if(f.branches, [&](const std::string& lane) {
            return std::find(up->second.begin(), up->second.end(), lane) != up->second.end();
        });
        if (f.branches.size() >= 2) forks.push_back(std::move(f));
    }
    return forks;
}

void placeForks(Builder& b) {
    std::vector<std::string> inFork;
    for (ForkCandidate& f : findForks(b)) {
        std::erase_if(f.branches, [&](const std::string& lane) {
            return std::find(inFork.begin(), inFork.end(), lane) != inFork.end() || lane == f.proxy;
        });
        if (f.branches.size() < 2) continue;
        for (std::size_t k = 1; k < f.branches.size(); ++k) std::erase(b.order, f.branches[k]);
        const auto at = std::find(b.order.begin(), b.order.end(), f.branches[0]);
        b.order.insert(at + 1, f.branches.begin() + 1, f.branches.end());
        inFork.insert(inFork.end(), f.branches.begin(), f.branches.end());
        b.forks.push_back(std::move(f));
    }
    for (std::size_t i = 0; i < b.order.size(); ++i) b.laneOf[b.order[i]] = i;
}

void describeLanes(const Builder& b, LadderLayout& out) {
    std::map<std::string, const LadderNode*> nodes;
    for (const auto& n : b.in.nodes) nodes.emplace(n.endpoint, &n);
    out.lanes.assign(b.order.size(), {});
    for (std::size_t i = 0; i < b.order.size(); ++i) {
        out.lanes[i].id = "L" + std::to_string(i + 1);
        out.lanes[i].name = b.order[i];
    }
    for (std::size_t i : b.visible) {
        const auto& m = b.in.messages[i];
        for (const std::string* ep : {&m.src, &m.dst}) {
            LadderLane& lane = out.lanes[b.laneOf.at(b.laneKey(*ep))];
            if (std::find(lane.endpoints.begin(), lane.endpoints.end(), *ep) ==
                lane.endpoints.end())
                lane.endpoints.push_back(*ep);
            if (std::find(lane.legs.begin(), lane.legs.end(), m.leg) == lane.legs.end())
                lane.legs.push_back(m.leg);
        }
    }
    for (LadderLane& lane : out.lanes) {
        std::sort(lane.legs.begin(), lane.legs.end());
        for (const auto& ep : lane.endpoints) {
            const auto it = nodes.find(ep);
            if (it == nodes.end()) continue;
            const LadderNode& n = *it->second;
            if (lane.role.empty()) lane.role = n.role;
            if (lane.userAgent.empty()) lane.userAgent = n.userAgent;
            if (!n.alias.empty() && lane.name == ep) lane.name = n.alias;
        }
    }
    for (const ForkCandidate& f : b.forks) {
        const std::size_t first = b.laneOf.at(f.branches.front());
        const std::size_t last = b.laneOf.at(f.branches.back());
        for (std::size_t i = first; i <= last; ++i)
            out.lanes[i].fork = static_cast<int>(out.forks.size());
        out.forks.push_back({b.laneOf.at(f.proxy), first, last, f.callId});
    }
}

std::string timeLabel(const LadderOptions& opt, std::int64_t ns, std::int64_t firstNs,
                      std::int64_t prevNs) {
    const int digits = std::clamp(opt.timeDigits, 0, 9);
    switch (opt.timeMode) {
        case LadderTimeMode::Absolute:
            return clockTime(ns, digits);
        case LadderTimeMode::Relative:
            return "+" + formatSeconds(ns - firstNs, digits);
        case LadderTimeMode::Delta:
            return "+" + formatSeconds(ns - prevNs, digits);
    }
    return {};
}

void buildRows(const Builder& b, LadderLayout& out) {
    const std::int64_t firstNs = b.visible.empty() ? 0 : b.in.messages[b.visible[0]].tsNs;
    std::int64_t prevNs = firstNs;
    std::map<int, std::string> legs;
    for (std::size_t i : b.visible) {
        const auto& m = b.in.messages[i];
        LadderRow r;
        r.message = i;
        r.id = m.id;
        r.from = b.laneOf.at(b.laneKey(m.src));
        r.to = b.laneOf.at(b.laneKey(m.dst));
        r.self = r.from == r.to;
        r.request = isRequest(m);
        r.label = messageLabel(m);
        r.detail = m.detail;
        r.time = timeLabel(b.opt, m.tsNs, firstNs, prevNs);
        r.tsNs = m.tsNs;
        r.sincePrevS = static_cast<double>(m.tsNs - prevNs) / 1e9;
        r.retransmission = m.retransmission;
        r.duplicate = m.duplicate;
        r.original = m.original;
        r.leg = m.leg;
        r.anomalies = m.anomalies;
        out.anyRetransmission |= m.retransmission;
        out.anyDuplicate |= m.duplicate;
        out.anyAnomaly |= !m.anomalies.empty();
        legs.emplace(m.leg, m.callId);
        prevNs = m.tsNs;
        out.rows.push_back(std::move(r));
    }
    for (const auto& [leg, callId] : legs) out.legs.push_back({leg, callId});
}

std::string caption(const LadderOptions& opt, const LadderLayout& out) {
    if (out.rows.empty()) return "no messages";
    const std::int64_t first = out.rows.front().tsNs;
    const std::string at = date(first) + " " + clockTime(first, 3) + " UTC";
    switch (opt.timeMode) {
        case LadderTimeMode::Absolute:
            return "time: UTC, " + date(first);
        case LadderTimeMode::Relative:
            return "time: seconds since " + at;
        case LadderTimeMode::Delta:
            return "time: seconds since the previous message, from " + at;
    }
    return {};
}

}  // namespace

LadderLayout layoutLadder(const LadderInput& input, const LadderOptions& options) {
    Builder b{input, options, {}, {}, {}, {}};
    LadderLayout out;
    selectMessages(b);
    orderLanes(b);
    placeForks(b);
    describeLanes(b, out);
    buildRows(b, out);
    out.title = options.title;
    const auto first = std::min_element(
        input.messages.begin(), input.messages.end(),
        [](const LadderMessage& x, const LadderMessage& y) { return x.tsNs < y.tsNs; });
    if (out.title.empty())
        out.title = first == input.messages.end() || first->callId.empty()
                        ? "Ladder"
                        : "Call " + first->callId;
    out.timeCaption = caption(options, out);
    return out;
}

LadderRowPositions ladderRowPositions(const LadderLayout& layout, const LadderSpacing& spacing) {
    LadderRowPositions pos;
    double y = 0, below = 0;
    for (std::size_t i = 0; i < layout.rows.size(); ++i) {
        const LadderRow& r = layout.rows[i];
        double step = i == 0 ? 0 : spacing.rowHeight + below;
        bool capped = false;
        if (i > 0 && spacing.proportional) {
            const double byTime = r.sincePrevS * spacing.pxPerSecond;
            capped = byTime > spacing.maxGap && spacing.maxGap > step;
            step = std::max(step, std::min(byTime, std::max(spacing.maxGap, step)));
        }
        if (i > 0 && i < spacing.extraGap.size()) step += std::max(0.0, spacing.extraGap[i]);
        y += step;
        pos.y.push_back(y);
        pos.gapCapped.push_back(capped);
        below = r.detail.empty() ? 0 : spacing.detailHeight;
    }
    pos.height = layout.rows.empty() ? 0 : y + below + spacing.rowHeight / 2;
    return pos;
}

void forEachCodePoint(std::string_view s,
                      const std::function<void(char32_t, std::string_view)>& visit) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80         ? 1
                          : (c >> 5) == 6  ? 2
                          : (c >> 4) == 14 ? 3
                          : (c >> 3) == 30 ? 4
                                           : 0;
        char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        bool ok = len != 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            ok = (cc >> 6) == 2;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are malformed (RFC 3629 §3).
        static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
        if (!ok) {
            visit(0xFFFD, "\xEF\xBF\xBD");
            ++i;
            continue;
        }
        visit(cp, s.substr(i, len));
        i += len;
    }
}

std::string escapeXml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    forEachCodePoint(text, [&](char32_t cp, std::string_view bytes) {
        switch (cp) {
            case '&':
                out += "&amp;";
                return;
            case '<':
                out += "&lt;";
                return;
            case '>':
                out += "&gt;";
                return;
            case '"':
                out += "&quot;";
                return;
            case '\'':
                out += "&#39;";
                return;
            default:
                break;
        }
        // XML 1.0 §2.2: no C0 controls but tab, LF, CR; no U+FFFE/U+FFFF.
        const bool allowed = cp == '\t' || cp == '\n' || cp == '\r' ||
                             (cp >= 0x20 && cp != 0x7F && cp != 0xFFFE && cp != 0xFFFF);
        out += allowed ? std::string(bytes) : std::string("\xEF\xBF\xBD");
    });
    return out;
}

std::string formatSeconds(std::int64_t ns, int digits) {
    if (ns < 0) ns = 0;
    return std::to_string(ns / kNsPerSecond) + fraction(ns % kNsPerSecond, digits);
}

std::string renderLadder(const LadderInput& input, LadderFormat format,
                         const LadderOptions& options) {
    const LadderLayout layout = layoutLadder(input, options);
    switch (format) {
        case LadderFormat::Text:
            return renderLadderText(layout, options);
        case LadderFormat::Svg:
            return renderLadderSvg(input, layout, options);
        case LadderFormat::Mermaid:
            return renderLadderMermaid(layout, options);
        case LadderFormat::Html:
            return renderLadderHtml(input, layout, options);
    }
    return {};
}

std::optional<LadderFormat> parseLadderFormat(std::string_view name) {
    if (name == "text") return LadderFormat::Text;
    if (name == "svg") return LadderFormat::Svg;
    if (name == "mermaid") return LadderFormat::Mermaid;
    if (name == "html") return LadderFormat::Html;
    return std::nullopt;
}

std::optional<LadderTimeMode> parseLadderTimeMode(std::string_view name) {
    if (name == "absolute") return LadderTimeMode::Absolute;
    if (name == "relative") return LadderTimeMode::Relative;
    if (name == "delta") return LadderTimeMode::Delta;
    return std::nullopt;
}

}  // namespace sipscope::analyzer
