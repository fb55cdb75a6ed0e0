#pragma once
// Storage of a message's typed header values (SipMessage::typed): one slot per header line
// saying which type it holds, the values placed in blocks owned by the cache. A message's values
// then cost one allocation together instead of one each, and go away with the header index.

#include <cstddef>
#include <vector>

namespace sipscope::stack {

class TypedCache {
  public:
    struct Slot {
        const void* type = nullptr;  // identifies the value's type; nullptr: empty
        void* value = nullptr;
        void (*destroy)(void*) noexcept = nullptr;
    };

    TypedCache() noexcept = default;
    // A copy starts empty: its values are parsed again when asked for.
    TypedCache(const TypedCache&) noexcept {}
    TypedCache& operator=(const TypedCache& other) noexcept {
        if (this != &other) clear();
        return *this;
    }
    ~TypedCache() { clear(); }

    // Slot of header `index`; `count` is the number of header lines (slots are made on demand).
    Slot& slot(std::size_t index, std::size_t count) {
        if (m_slots.size() < count) m_slots.resize(count);
        return m_slots[index];
    }
    // Memory for a value that lives until clear().
    void* allocate(std::size_t size, std::size_t align);
    // Destroys the value of `s`, if any (its memory is reclaimed by clear()).
    static void release(Slot& s) noexcept;
    // Destroys every value and frees the blocks.
    void clear() noexcept;

  private:
    struct Block {
        Block* next;
    };
    std::vector<Slot> m_slots;
    Block* m_blocks = nullptr;
    std::byte* m_free = nullptr;
    std::size_t m_left = 0;
    std::size_t m_lastBlock = 0;  // size of the newest block
};

}  // namespace sipscope::stack
