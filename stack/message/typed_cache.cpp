#include "message/typed_cache.hpp"

#include <algorithm>
#include <cstdint>
#include <new>

namespace sipscope::stack {

namespace {
// A message usually asks for a few typed values, and a passive analysis keeps the request that
// starts each open call: the first block holds what a dialog-creating request is asked for
// (From and To, 264 bytes each as Result<NameAddr>, and the Contact list, 88), each next block
// is twice the last, up to kMaxBlockBytes.
constexpr std::size_t kFirstBlockBytes = 640;
constexpr std::size_t kMaxBlockBytes = 4096;
constexpr std::size_t kHeaderBytes = alignof(std::max_align_t);  // Block header, keeps alignment
}  // namespace

void* TypedCache::allocate(std::size_t size, std::size_t align) {
    auto fit = [&]() -> void* {
        const auto at = reinterpret_cast<std::uintptr_t>(m_free);
        const std::size_t pad = (align - at % align) % align;
        if (m_free == nullptr || pad + size > m_left) return nullptr;
        std::byte* p = m_free + pad;
        m_free = p + size;
        m_left -= pad + size;
        return p;
    };
    if (void* p = fit()) return p;
    m_lastBlock = std::clamp(m_lastBlock * 2, kFirstBlockBytes, kMaxBlockBytes);
    const std::size_t bytes = std::max(m_lastBlock, kHeaderBytes + size + align);
    auto* raw = static_cast<std::byte*>(::operator new(bytes));
    auto* block = ::new (raw) Block{m_blocks};
    m_blocks = block;
    m_free = raw + kHeaderBytes;
    m_left = bytes - kHeaderBytes;
    return fit();
}

void TypedCache::release(Slot& s) noexcept {
    if (s.value != nullptr) s.destroy(s.value);
    s = Slot{};
}

void TypedCache::clear() noexcept {
    for (Slot& s : m_slots) release(s);
    m_slots.clear();
    while (m_blocks != nullptr) {
        Block* next = m_blocks->next;
        ::operator delete(static_cast<void*>(m_blocks));
        m_blocks = next;
    }
    m_free = nullptr;
    m_left = 0;
    m_lastBlock = 0;
}

}  // namespace sipscope::stack
