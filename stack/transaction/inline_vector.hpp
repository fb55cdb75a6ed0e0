#pragma once
// A vector with a fixed capacity, stored inline. It holds the actions one event makes a
// transaction machine take (at most six in RFC 3261 §17's figures), so that no event allocates:
// the passive observer feeds two machines per observed message.

#include <cstddef>
#include <initializer_list>
#include <new>
#include <stdexcept>
#include <utility>

namespace sipscope::stack {

template <class T, std::size_t N>
class InlineVector {
  public:
    using value_type = T;
    using iterator = T*;
    using const_iterator = const T*;

    InlineVector() noexcept = default;
    InlineVector(std::initializer_list<T> items) {
        for (const T& v : items) push_back(v);
    }
    InlineVector(const InlineVector& o) {
        for (const T& v : o) push_back(v);
    }
    InlineVector(InlineVector&& o) noexcept {
        for (T& v : o) emplace_back(std::move(v));
        o.clear();
    }
    InlineVector& operator=(const InlineVector& o) {
        if (this != &o) {
            clear();
            for (const T& v : o) push_back(v);
        }
        return *this;
    }
    InlineVector& operator=(InlineVector&& o) noexcept {
        if (this != &o) {
            clear();
            for (T& v : o) emplace_back(std::move(v));
            o.clear();
        }
        return *this;
    }
    ~InlineVector() { clear(); }

    template <class... Args>
    T& emplace_back(Args&&... args) {
        // The machines' actions are bounded by their code, not by input: overflowing is a bug.
        if (m_size == N) throw std::length_error("InlineVector: capacity exceeded");
        T* slot = ::new (static_cast<void*>(m_storage + m_size * sizeof(T)))
            T(std::forward<Args>(args)...);
        ++m_size;
        return *slot;
    }
    void push_back(const T& v) { emplace_back(v); }
    void push_back(T&& v) { emplace_back(std::move(v)); }

    // Removes the element at `pos`, keeping the order of the others.
    iterator erase(const_iterator pos) {
        T* p = begin() + (pos - begin());
        for (T* q = p; q + 1 != end(); ++q) *q = std::move(*(q + 1));
        back().~T();
        --m_size;
        return p;
    }
    void clear() noexcept {
        for (T* p = begin(); p != end(); ++p) p->~T();
        m_size = 0;
    }

    std::size_t size() const noexcept { return m_size; }
    bool empty() const noexcept { return m_size == 0; }
    static constexpr std::size_t capacity() noexcept { return N; }
    T* data() noexcept { return std::launder(reinterpret_cast<T*>(m_storage)); }
    const T* data() const noexcept { return std::launder(reinterpret_cast<const T*>(m_storage)); }
    T* begin() noexcept { return data(); }
    T* end() noexcept { return data() + m_size; }
    const T* begin() const noexcept { return data(); }
    const T* end() const noexcept { return data() + m_size; }
    T& operator[](std::size_t i) noexcept { return data()[i]; }
    const T& operator[](std::size_t i) const noexcept { return data()[i]; }
    const T& at(std::size_t i) const {
        if (i >= m_size) throw std::out_of_range("InlineVector::at");
        return data()[i];
    }
    T& front() noexcept { return data()[0]; }
    const T& front() const noexcept { return data()[0]; }
    T& back() noexcept { return data()[m_size - 1]; }
    const T& back() const noexcept { return data()[m_size - 1]; }

  private:
    alignas(T) std::byte m_storage[N * sizeof(T)];
    std::size_t m_size = 0;
};

}  // namespace sipscope::stack
