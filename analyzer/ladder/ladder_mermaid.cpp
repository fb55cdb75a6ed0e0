// The ladder as a Mermaid sequenceDiagram (for wikis and Markdown). Participants are the lane
// ids (L1, L2 ...) labelled with the lane's name, endpoint and role; fork branches sit in one
// `box`; retransmissions and duplicates are dotted arrows (-->>); anomalies are notes.
// Characters Mermaid reads as syntax or markup are written as its entity codes ("#59;"),
// which it decodes after parsing, everywhere in the diagram.

#include "ladder/ladder_layout.hpp"

namespace sipscope::analyzer {

namespace {

std::string escapeMermaid(std::string_view s) {
    std::string out;
    forEachCodePoint(s, [&](char32_t cp, std::string_view bytes) {
        switch (cp) {
            case '#':
                out += "#35;";
                return;
            case ';':
                out += "#59;";
                return;
            case '"':
                out += "#quot;";
                return;
            case '\'':
                out += "#39;";
                return;
            case '<':
                out += "#lt;";
                return;
            case '>':
                out += "#gt;";
                return;
            case '&':
                out += "#amp;";
                return;
            case '%':
                out += "#37;";
                return;
            case '`':
                out += "#96;";
                return;
            case '{':
                out += "#123;";
                return;
            case '}':
                out += "#125;";
                return;
            default:
                break;
        }
        out += cp < 0x20 || cp == 0x7F ? std::string(" ") : std::string(bytes);
    });
    return out;
}

// Comments take anything but line breaks.
std::string comment(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c == '\n' || c == '\r') c = ' ';
    return "    %% " + out + "\n";
}

std::string participant(const LadderLane& lane) {
    std::string label = escapeMermaid(lane.name);
    if (!lane.endpoints.empty() && lane.endpoints.front() != lane.name)
        label += "<br/>" + escapeMermaid(lane.endpoints.front()) +
                 (lane.endpoints.size() > 1 ? " +" + std::to_string(lane.endpoints.size() - 1)
                                            : std::string());
    for (const std::string* s : {&lane.role, &lane.userAgent})
        if (!s->empty()) label += "<br/>" + escapeMermaid(*s);
    return "    participant " + lane.id + " as " + label + "\n";
}

std::string messageLine(const LadderLayout& layout, const LadderRow& r) {
    const bool grey = r.retransmission || r.duplicate;
    std::string text = escapeMermaid(r.time + " " + r.label);
    if (r.retransmission) text += " (rtx)";
    if (r.duplicate) text += " (dup)";
    if (!r.detail.empty()) text += "<br/>" + escapeMermaid(r.detail);
    std::string out = "    " + layout.lanes[r.from].id + (grey ? "-->>" : "->>") +
                      layout.lanes[r.to].id + ": " + text + "\n";
    if (!r.anomalies.empty()) {
        std::string codes;
        for (const auto& a : r.anomalies) codes += (codes.empty() ? "" : " ") + a;
        out += "    Note " +
               (r.self ? "right of " + layout.lanes[r.from].id
                       : "over " + layout.lanes[r.from].id + "," + layout.lanes[r.to].id) +
               ": " + escapeMermaid("! " + codes) + "\n";
    }
    return out;
}

}  // namespace

std::string renderLadderMermaid(const LadderLayout& layout, const LadderOptions&) {
    std::string out = "sequenceDiagram\n    title " + escapeMermaid(layout.title) + "\n";
    out += comment(layout.timeCaption);
    if (layout.legs.size() > 1)
        for (const LadderLeg& leg : layout.legs)
            out += comment("leg " + std::to_string(leg.leg) + ": Call-ID " + leg.callId);
    for (std::size_t i = 0; i < layout.lanes.size(); ++i) {
        const LadderLane& lane = layout.lanes[i];
        const LadderFork* fork =
            lane.fork >= 0 ? &layout.forks[static_cast<std::size_t>(lane.fork)] : nullptr;
        if (fork && fork->first == i)
            out += "    box Lavender fork via " + layout.lanes[fork->proxy].id + "\n";
        out += participant(lane);
        if (fork && fork->last == i) out += "    end\n";
    }
    for (const LadderRow& r : layout.rows) out += messageLine(layout, r);
    return out;
}

}  // namespace sipscope::analyzer
