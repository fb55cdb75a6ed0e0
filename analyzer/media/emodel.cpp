#include "media/emodel.hpp"

#include <algorithm>

namespace sipscope::analyzer {

double mosFromR(double r) noexcept {
    if (r <= 0) return 1.0;
    if (r >= 100) return 4.5;
    return std::clamp(1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6, 1.0, 4.5);
}

EModelResult emodel(const EModelInput& in) noexcept {
    EModelResult out;
    const double jitterBuffer = std::max(20.0, 2.0 * std::max(in.jitterMs, 0.0));
    out.delayMs = std::max(in.networkDelayMs, 0.0) + in.packetisationMs + jitterBuffer;
    out.id = 0.024 * out.delayMs;
    if (out.delayMs > 177.3) out.id += 0.11 * (out.delayMs - 177.3);
    const double ppl = std::clamp(in.lossPct, 0.0, 100.0);
    const double burstR = in.burstR > 0 ? in.burstR : 1.0;
    out.ieEff = in.ie + (95.0 - in.ie) * ppl / (ppl / burstR + in.bpl);
    out.r = std::clamp(in.ro - out.id - out.ieEff, 0.0, 100.0);
    out.mos = mosFromR(out.r);
    return out;
}

}  // namespace sipscope::analyzer
