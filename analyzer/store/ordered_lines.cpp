#include "store/ordered_lines.hpp"

#include "store/call_json_blob.hpp"

namespace sipscope::analyzer::store {

OrderedLines::OrderedLines(Sink sink, std::uint64_t first)
    : m_sink(std::move(sink)), m_next(first) {}

void OrderedLines::add(std::uint64_t number, std::optional<std::string_view> line) {
    if (number > m_next) {
        Held h;
        if (line) {
            h.print = true;
            h.text = packCallJson(*line);
            h.packed = !h.text.empty();
            if (!h.packed) h.text = std::string(*line);
            h.text.shrink_to_fit();  // the compressor's output had room for the worst case
            m_heldBytes += h.text.size();
        }
        m_held.insert_or_assign(number, std::move(h));
        return;
    }
    if (line) m_sink(*line);
    if (number == m_next) {
        ++m_next;
        release();
    }
}

void OrderedLines::finish() {
    for (const auto& [number, held] : m_held) write(held);
    if (!m_held.empty()) m_next = m_held.rbegin()->first + 1;
    m_held.clear();
    m_heldBytes = 0;
}

void OrderedLines::release() {
    while (!m_held.empty() && m_held.begin()->first == m_next) {
        write(m_held.begin()->second);
        m_heldBytes -= m_held.begin()->second.text.size();
        m_held.erase(m_held.begin());
        ++m_next;
    }
}

void OrderedLines::write(const Held& h) {
    if (!h.print) return;
    if (!h.packed) {
        m_sink(h.text);
        return;
    }
    // Packed here, so it unpacks: nullopt would be a codec bug, and then the line is lost.
    if (const auto text = unpackCallJson(h.text)) m_sink(*text);
}

}  // namespace sipscope::analyzer::store
