#include "ua/target_list.hpp"

namespace sipscope::stack::ua {

TargetList::TargetList(Target first, std::vector<Target> alternates) {
    m_targets.reserve(alternates.size() + 1);
    m_targets.push_back(std::move(first));
    for (auto& t : alternates) m_targets.push_back(std::move(t));
}

bool TargetList::failOver(TargetFailure failure, bool gotResponse) {
    // RFC 3263 §4.3: failure is a 503, a transport failure, or a transaction timeout "without
    // ever having received any response, provisional or final" (Timer B or F).
    if (failure == TargetFailure::Timeout && gotResponse) return false;
    if (m_index + 1 >= m_targets.size()) return false;
    ++m_index;
    return true;
}

}  // namespace sipscope::stack::ua
