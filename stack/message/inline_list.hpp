#pragma once
// A list of trivially copyable values stored inline up to N and on the heap beyond. It holds
// the header slices of a message: a typical message's index is then one allocation (with the
// rest of SipMessage::Index), small enough for the allocator's per-thread cache.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>

namespace sipscope::stack {

template <class T, std::size_t N>
class InlineList {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

  public:
    InlineList() noexcept = default;
    InlineList(const InlineList& o) { assign(o); }
    InlineList& operator=(const InlineList& o) {
        if (this != &o) {
            m_size = 0;
            assign(o);
        }
        return *this;
    }
    ~InlineList() = default;

    T* data() noexcept { return m_heap ? m_heap.get() : reinterpret_cast<T*>(m_inline); }
    const T* data() const noexcept {
        return m_heap ? m_heap.get() : reinterpret_cast<const T*>(m_inline);
    }
    std::size_t size() const noexcept { return m_size; }
    bool empty() const noexcept { return m_size == 0; }
    T* begin() noexcept { return data(); }
    T* end() noexcept { return data() + m_size; }
    const T* begin() const noexcept { return data(); }
    const T* end() const noexcept { return data() + m_size; }
    T& operator[](std::size_t i) noexcept { return data()[i]; }
    const T& operator[](std::size_t i) const noexcept { return data()[i]; }
    T& back() noexcept { return data()[m_size - 1]; }

    T& emplace_back() {
        if (m_size == m_capacity) grow();
        T* slot = ::new (static_cast<void*>(data() + m_size)) T();
        ++m_size;
        return *slot;
    }
    void push_back(const T& v) { emplace_back() = v; }
    template <class Pred>
    void eraseIf(Pred pred) {
        T* const e = std::remove_if(begin(), end(), pred);
        m_size = static_cast<std::size_t>(e - begin());
    }

  private:
    void reserveAtLeast(std::size_t n) {
        if (n <= m_capacity) return;
        const std::size_t cap = std::max(n, m_capacity * 2);
        std::unique_ptr<T[]> heap(new T[cap]);
        if (m_size) std::memcpy(static_cast<void*>(heap.get()), data(), m_size * sizeof(T));
        m_heap = std::move(heap);
        m_capacity = cap;
    }
    void grow() { reserveAtLeast(m_capacity + 1); }
    void assign(const InlineList& o) {
        reserveAtLeast(o.m_size);
        if (o.m_size) std::memcpy(static_cast<void*>(data()), o.data(), o.m_size * sizeof(T));
        m_size = o.m_size;
    }

    std::size_t m_size = 0;
    std::size_t m_capacity = N;
    std::unique_ptr<T[]> m_heap;  // set once the list outgrows the inline slots
    alignas(T) unsigned char m_inline[N * sizeof(T)];
};

}  // namespace sipscope::stack
