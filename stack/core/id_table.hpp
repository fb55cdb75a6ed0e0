#pragma once
// A map from counter-issued ids (transactions, calls) to values, for the passive analysis of big
// captures. Ids are handed out in increasing order and most live only a while (a transaction
// ends 32 s after its final response), so the open ones are nearly a dense window of the
// counter: a ring of slots indexed by `id - base` holds them, and a lookup is one array access.
// In a node-based hash map it was three dependent cache misses (bucket, node, value), paid for
// every message, timer and ended transaction.
//
// Any id works: an id below the window (one that outlives the ids issued after it, such as an
// INVITE transaction kept open by provisional responses) lives in a small hash map, and so the
// window spans at most twice the number of open ids plus kSlack, whatever the file size. The
// window only moves forward, except when it is empty and nothing outside is above the new id.
// A value may move when another id is inserted: hold pointers to values only between inserts
// (a `std::unique_ptr` value keeps its object in place).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sipscope::stack {

template <class V>
class IdTable {
  public:
    // Ids kept in the window beyond twice the open ones before the oldest are moved out.
    static constexpr std::size_t kSlack = 1024;
    // Ids from here on are always kept outside the window, so that its end cannot wrap.
    static constexpr std::uint64_t kWindowEnd = std::uint64_t{1} << 62;

    V* find(std::uint64_t id) {
        if (id >= m_base && id < kWindowEnd) {
            if (id - m_base >= m_length) return nullptr;
            std::optional<V>& slot = at(id - m_base);
            return slot ? &*slot : nullptr;
        }
        if (m_outside.empty()) return nullptr;
        auto it = m_outside.find(id);
        return it == m_outside.end() ? nullptr : &it->second;
    }
    const V* find(std::uint64_t id) const { return const_cast<IdTable*>(this)->find(id); }
    bool contains(std::uint64_t id) const { return find(id) != nullptr; }

    // The value of `id`, value-initialised when absent.
    V& operator[](std::uint64_t id) {
        if (V* v = find(id)) return *v;
        return insert(id, V{});
    }
    // Sets the value of `id`, replacing any.
    V& insertOrAssign(std::uint64_t id, V value) {
        if (V* v = find(id)) {
            *v = std::move(value);
            return *v;
        }
        return insert(id, std::move(value));
    }
    bool erase(std::uint64_t id) {
        if (id < m_base || id >= kWindowEnd) return m_outside.erase(id) > 0;
        if (id - m_base >= m_length) return false;
        std::optional<V>& slot = at(id - m_base);
        if (!slot) return false;
        slot.reset();
        --m_live;
        trimFront();
        return true;
    }

    std::size_t size() const noexcept { return m_live + m_outside.size(); }
    bool empty() const noexcept { return size() == 0; }
    // Slots the window spans, and ids kept below it (for tests and statistics).
    std::size_t windowLength() const noexcept { return m_length; }
    std::size_t outsideCount() const noexcept { return m_outside.size(); }
    // Calls f(id, value) for every entry: the window in id order, then the older ids in no
    // particular order. `f` must not insert or erase.
    template <class F>
    void forEach(F&& f) {
        for (std::size_t i = 0; i < m_length; ++i)
            if (std::optional<V>& slot = at(i)) f(m_base + i, *slot);
        for (auto& [id, v] : m_outside) f(id, v);
    }
    template <class F>
    void forEach(F&& f) const {
        const_cast<IdTable*>(this)->forEach(
            [&f](std::uint64_t id, V& v) { f(id, std::as_const(v)); });
    }

  private:
    std::optional<V>& at(std::size_t offset) {
        return m_ring[(m_head + offset) & (m_ring.size() - 1)];
    }

    V& insert(std::uint64_t id, V value) {
        // A far jump past the window's end: the window moves, its old ids go out.
        if (m_live > 0 && id >= m_base && id < kWindowEnd && id - m_base >= m_length &&
            id - m_base >= 2 * (m_live + kSlack))
            spillBelow(id - 2 * m_live);
        // An empty window starts again at `id`: forward always, backward only above every id
        // kept outside it.
        if (m_live == 0 && id < kWindowEnd &&
            (id >= m_base || m_outside.empty() || id > m_outsideMax)) {
            m_base = id;
            m_length = 0;
            m_head = 0;
        }
        if (id < m_base || id >= kWindowEnd) return putOutside(id, std::move(value));
        const std::size_t offset = id - m_base;
        if (offset >= m_ring.size()) grow(offset + 1);
        if (offset >= m_length) m_length = offset + 1;
        at(offset).emplace(std::move(value));
        ++m_live;
        // Keep the window dense: old ids still open go to the hash map.
        if (m_length > 2 * m_live + kSlack) spillBelow(m_base + (m_length - 2 * m_live));
        return *find(id);
    }
    V& putOutside(std::uint64_t id, V value) {
        if (m_outside.empty() || id > m_outsideMax) m_outsideMax = id;
        return m_outside.emplace(id, std::move(value)).first->second;
    }

    // Moves the window's ids below `limit` out (their values to m_outside), then the empty
    // slots after them: the window never passes an id it holds, nor its own end.
    void spillBelow(std::uint64_t limit) {
        while (m_length > 0 && m_base < limit) {
            std::optional<V>& slot = at(0);
            if (slot) {
                putOutside(m_base, std::move(*slot));
                slot.reset();
                --m_live;
            }
            popFront();
        }
        trimFront();
    }
    void popFront() {
        m_head = (m_head + 1) & (m_ring.size() - 1);
        ++m_base;
        --m_length;
    }
    void trimFront() {
        while (m_length > 0 && !at(0)) popFront();
        if (m_length == 0) m_head = 0;
    }
    void grow(std::size_t needed) {
        std::size_t cap = m_ring.empty() ? 64 : m_ring.size();
        while (cap < needed) cap *= 2;
        std::vector<std::optional<V>> ring(cap);
        for (std::size_t i = 0; i < m_length; ++i) ring[i] = std::move(at(i));
        m_ring = std::move(ring);
        m_head = 0;
    }

    std::vector<std::optional<V>> m_ring;  // power-of-two size once used
    std::size_t m_head = 0;                // ring position of m_base
    std::size_t m_length = 0;              // the window: ids [m_base, m_base + m_length)
    std::uint64_t m_base = 0;
    std::size_t m_live = 0;                          // values in the window
    std::unordered_map<std::uint64_t, V> m_outside;  // ids below the window (or past kWindowEnd)
    std::uint64_t m_outsideMax = 0;                  // at least the largest id in m_outside
};

}  // namespace sipscope::stack
