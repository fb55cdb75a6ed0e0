#pragma once
// Puts transaction shadows to sleep and wakes them (transaction_shadow.hpp): packs a shadow's
// Live fields into a compact byte string (variable-length integers, times relative to the
// transaction's start) and unpacks them exactly, and keeps one copy of each distinct pair of
// machines that sleeping shadows share.

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/packing.hpp"
#include "observe/transaction_shadow.hpp"

namespace sipscope::stack {

class ShadowPacker {
  public:
    // The packed form of `live`, which unpack() turns back into an equal Live (every field
    // of `live` is set, so it may be a used one).
    std::unique_ptr<char[]> pack(const TransactionShadow::Live& live);
    static void unpack(const char* packed, TransactionShadow::Live& live);

    // Lives of shadows gone to sleep, for the next shadow that wakes.
    SparePool<TransactionShadow::Live> spareLives;

    // A pair equal to `machines` that the pool already holds, else `machines`, now held. The
    // pool drops pairs no shadow uses any more as it grows, so it stays as large as the number
    // of distinct pairs in use (a few per method and final status).
    std::shared_ptr<TransactionShadow::Machines> intern(
        std::shared_ptr<TransactionShadow::Machines> machines);
    std::size_t pooled() const noexcept { return m_pool.size(); }

  private:
    static std::uint64_t hashOf(const TransactionShadow::Machines& m);
    void prune();

    std::string m_scratch;
    std::unordered_multimap<std::uint64_t, std::shared_ptr<TransactionShadow::Machines>> m_pool;
    std::size_t m_pruneAt = 256;
};

}  // namespace sipscope::stack
