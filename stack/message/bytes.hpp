#pragma once
// Bytes: an immutable run of bytes kept alive by a shared owner (ARCHITECTURE.md "Bytes and
// messages"). Several Bytes may be slices of one owner: the stream framer hands out each
// message as a slice of the chunk it framed it in, and the datagram path keeps one copy of a
// datagram for every message in it. Copies share; nothing is ever written through a Bytes.
//
// It reads like a pointer to the bytes: `*b` and `b->size()` give the std::string_view,
// `if (b)` tells whether any bytes (possibly empty) are held.

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace sipscope::stack {

class Bytes {
  public:
    Bytes() noexcept = default;
    Bytes(std::nullptr_t) noexcept {}  // NOLINT: reads like the shared_ptr it replaced
    // The whole string, kept alive by its shared_ptr.
    Bytes(std::shared_ptr<const std::string> s) noexcept  // NOLINT: implicit on purpose
        : m_view(s ? std::string_view(*s) : std::string_view()), m_owner(std::move(s)) {}
    // `view` lies inside memory that `owner` keeps alive.
    Bytes(std::shared_ptr<const void> owner, std::string_view view) noexcept
        : m_view(view), m_owner(std::move(owner)) {}

    const std::string_view& operator*() const noexcept { return m_view; }
    const std::string_view* operator->() const noexcept { return &m_view; }
    explicit operator bool() const noexcept { return m_owner != nullptr; }
    bool operator==(std::nullptr_t) const noexcept { return m_owner == nullptr; }
    // The same bytes (or both holding none), whoever owns them.
    bool operator==(const Bytes& other) const noexcept {
        return (m_owner == nullptr) == (other.m_owner == nullptr) && m_view == other.m_view;
    }

    std::string_view view() const noexcept { return m_view; }
    // A slice of these bytes sharing the owner; `pos`/`count` as in std::string_view::substr.
    Bytes slice(std::size_t pos, std::size_t count = std::string_view::npos) const {
        return Bytes(m_owner, m_view.substr(pos, count));
    }
    // Keeps only the first `count` bytes (no reference count change, unlike a slice).
    void shrink(std::size_t count) noexcept { m_view = m_view.substr(0, count); }

  private:
    std::string_view m_view;
    std::shared_ptr<const void> m_owner;
};

// A private copy of `s` in one allocation (the owner's count and the bytes together).
inline Bytes makeBytes(std::string_view s) {
    auto p = std::make_shared_for_overwrite<char[]>(s.size());
    if (!s.empty()) std::memcpy(p.get(), s.data(), s.size());
    const std::string_view view(p.get(), s.size());
    return Bytes(std::shared_ptr<const void>(std::move(p)), view);
}

// Takes the string over without copying its bytes.
inline Bytes adoptBytes(std::string&& s) {
    return Bytes(std::make_shared<const std::string>(std::move(s)));
}

}  // namespace sipscope::stack
