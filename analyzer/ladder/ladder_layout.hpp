#pragma once
// The ladder's layout, shared by every painter (text, SVG, Mermaid, HTML here; the Qt GUI in
// app/): which lanes, in which order, which rows between which lanes, with which labels, times
// and flags. No coordinates except the row spacing helper: each painter owns its geometry.
//
// Lane order (see layoutLadder): lanes appear in order of first appearance, so the caller of
// the first message is leftmost; lanes that first appear in the same leg stay together (legs
// in order of their first message); the branches of a fork (a proxy sending the same call's
// INVITE to several nodes) are moved next to each other and marked as one LadderFork, which
// painters draw as a bracket above the branch lanes' headers.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ladder/ladder.hpp"

namespace sipscope::analyzer {

struct LadderLane {
    std::string id;    // "L1", "L2" ... in lane order: short name for legends and Mermaid
    std::string name;  // merged lane name, node alias or endpoint
    std::vector<std::string> endpoints;  // the addresses drawn in this lane, first seen first
    std::string role, userAgent;
    std::vector<int> legs;  // legs with a message from or to this lane, ascending
    int fork = -1;          // index in LadderLayout::forks when this lane is a fork branch
};

// Branch lanes first..last (adjacent) were each sent the call's INVITE by lane `proxy`.
struct LadderFork {
    std::size_t proxy = 0, first = 0, last = 0;
    std::string callId;
};

struct LadderRow {
    std::size_t message = 0;  // index in LadderInput::messages
    std::uint64_t id = 0;
    std::size_t from = 0, to = 0;  // lane indices; equal for a self-arrow
    bool self = false;
    bool request = false;
    std::string label, detail;
    std::string time;  // per LadderOptions::timeMode
    std::int64_t tsNs = 0;
    double sincePrevS = 0;  // seconds since the previous row (0 for the first)
    bool retransmission = false, duplicate = false;
    std::uint64_t original = 0;
    int leg = 0;
    std::vector<std::string> anomalies;
};

struct LadderLeg {
    int leg = 0;
    std::string callId;
};

struct LadderLayout {
    std::string title;
    std::string timeCaption;  // what the time column means, with the date
    std::vector<LadderLane> lanes;
    std::vector<LadderRow> rows;
    std::vector<LadderFork> forks;
    std::vector<LadderLeg> legs;  // ascending
    bool anyRetransmission = false, anyDuplicate = false, anyAnomaly = false;
};

LadderLayout layoutLadder(const LadderInput& input, const LadderOptions& options);

// Vertical row positions for graphical painters: even steps (compact), or steps proportional
// to time with at least `rowHeight` and at most `maxGap` between rows.
struct LadderSpacing {
    double rowHeight = 34;
    double detailHeight = 14;  // added below a row with a detail line
    bool proportional = false;
    double pxPerSecond = 120;
    double maxGap = 160;
    // Room added above row i (beyond the steps above), e.g. for the GUI's media bars and their
    // labels; missing entries are 0.
    std::vector<double> extraGap;
};
struct LadderRowPositions {
    std::vector<double> y;        // of each row's arrow, from 0
    std::vector<bool> gapCapped;  // the gap before this row was shortened
    double height = 0;            // below the last row
};
LadderRowPositions ladderRowPositions(const LadderLayout& layout, const LadderSpacing& spacing);

// The painters (one file each), over a layout made from `input`.
std::string renderLadderText(const LadderLayout& layout, const LadderOptions& options);
// `standalone`: an SVG file (XML declaration, xmlns); otherwise an <svg> for embedding in HTML.
std::string renderLadderSvg(const LadderInput& input, const LadderLayout& layout,
                            const LadderOptions& options, bool standalone = true);
std::string renderLadderMermaid(const LadderLayout& layout, const LadderOptions& options);
std::string renderLadderHtml(const LadderInput& input, const LadderLayout& layout,
                             const LadderOptions& options);

// Helpers shared by the painters. Text is decoded as UTF-8; a malformed byte is visited as
// U+FFFD (with that character's UTF-8 bytes), so what painters copy out is valid UTF-8.
void forEachCodePoint(std::string_view text,
                      const std::function<void(char32_t, std::string_view)>& visit);
// XML/HTML character data and attribute values: &<>"' escaped; characters XML forbids
// (controls, malformed UTF-8) replaced by U+FFFD.
std::string escapeXml(std::string_view text);
std::string formatSeconds(std::int64_t ns, int digits);  // "12.345", truncated, no sign

}  // namespace sipscope::analyzer
