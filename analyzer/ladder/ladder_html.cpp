// The ladder as one self-contained HTML page: the SVG inline, the text of every message in
// hidden <pre> elements, and a few lines of script that show the clicked message in a side
// panel (Up/Down move between messages). Nothing is fetched: no external script, style, font
// or image, so the page can be mailed or attached to a ticket as it is.

#include "ladder/ladder_layout.hpp"

namespace sipscope::analyzer {

namespace {

const char* kCss = R"(
body{margin:0;font-family:sans-serif;display:flex;height:100vh;color:#222}
#diagram{flex:1;overflow:auto;border-right:1px solid #ccc}
#panel{width:40%;max-width:760px;overflow:auto;padding:8px 12px;box-sizing:border-box}
#info{font-size:13px;font-weight:bold;margin:4px 0 8px;white-space:pre-wrap}
#raw{font-family:monospace;font-size:12px;white-space:pre-wrap;word-break:break-all;margin:0}
#hint{font-size:11px;color:#666}
g.msg{cursor:pointer}
g.msg:hover .hit{fill:#e8f0fe;fill-opacity:1}
g.msg.sel .hit{fill:#fff3c4;fill-opacity:1}
)";

const char* kScript = R"(
(function () {
  var msgs = Array.prototype.slice.call(document.querySelectorAll('#diagram g.msg'));
  var texts = document.querySelectorAll('#texts pre');
  var info = document.getElementById('info'), raw = document.getElementById('raw');
  var cur = -1;
  function select(i) {
    if (i < 0 || i >= msgs.length) return;
    if (cur >= 0) msgs[cur].classList.remove('sel');
    cur = i;
    msgs[i].classList.add('sel');
    info.textContent = texts[i].getAttribute('data-summary');
    raw.textContent = texts[i].textContent;
    msgs[i].scrollIntoView({block: 'nearest', inline: 'nearest'});
  }
  msgs.forEach(function (g, i) { g.addEventListener('click', function () { select(i); }); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowDown') { select(cur + 1); e.preventDefault(); }
    else if (e.key === 'ArrowUp') { select(cur < 1 ? 0 : cur - 1); e.preventDefault(); }
  });
})();
)";

std::string summary(const LadderInput& in, const LadderRow& r) {
    const LadderMessage& m = in.messages[r.message];
    std::string s = r.time + "  " + r.label;
    if (r.retransmission) s += " (retransmission)";
    if (r.duplicate) s += " (duplicate)";
    s += "\n" + m.src + " -> " + m.dst;
    if (!m.transport.empty()) s += " " + m.transport;
    if (!m.callId.empty()) s += "\nCall-ID " + m.callId + ", leg " + std::to_string(r.leg);
    for (const auto& a : r.anomalies) s += "\n! " + a;
    return s;
}

}  // namespace

std::string renderLadderHtml(const LadderInput& input, const LadderLayout& layout,
                             const LadderOptions& options) {
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<title>" + escapeXml(layout.title) + "</title>\n<style>" + kCss + "</style>\n";
    out += "</head>\n<body>\n<div id=\"diagram\">\n";
    out += renderLadderSvg(input, layout, options, false);
    out +=
        "</div>\n<div id=\"panel\">\n<p id=\"hint\">Click a message; Up/Down move between "
        "messages.</p>\n<div id=\"info\"></div>\n<pre id=\"raw\"></pre>\n</div>\n";
    out += "<div id=\"texts\" hidden>\n";
    for (const LadderRow& r : layout.rows) {
        const std::string& raw = input.messages[r.message].rawText;
        out += "<pre data-summary=\"" + escapeXml(summary(input, r)) + "\">" +
               escapeXml(raw.empty() ? "(message text not available)" : raw) + "</pre>\n";
    }
    out += "</div>\n<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
    return out;
}

}  // namespace sipscope::analyzer
