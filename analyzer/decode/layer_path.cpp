#include "decode/layer_path.hpp"

namespace sipscope::analyzer {

namespace {
const char* name(Layer l) {
    switch (l) {
        case Layer::Eth:
            return "eth";
        case Layer::Vlan:
            return "vlan";
        case Layer::PppoE:
            return "pppoe";
        case Layer::Ppp:
            return "ppp";
        case Layer::Mpls:
            return "mpls";
        case Layer::Sll:
            return "sll";
        case Layer::Sll2:
            return "sll2";
        case Layer::Null:
            return "null";
        case Layer::Raw:
            return "raw";
        case Layer::Ipv4:
            return "ipv4";
        case Layer::Ipv6:
            return "ipv6";
        case Layer::Gre:
            return "gre";
        case Layer::Erspan:
            return "erspan";
        case Layer::Vxlan:
            return "vxlan";
        case Layer::Gtp:
            return "gtp";
        case Layer::Udp:
            return "udp";
        case Layer::Tcp:
            return "tcp";
        case Layer::Sctp:
            return "sctp";
        case Layer::Hep:
            return "hep";
        case Layer::Ws:
            return "ws";
    }
    return "?";
}
}  // namespace

std::string LayerPath::toString() const {
    std::string out;
    for (std::size_t i = 0; i < m_size; ++i) {
        if (i) out.push_back('/');
        out.append(name(m_items[i].layer));
        if (m_items[i].layer == Layer::Vlan || m_items[i].layer == Layer::Vxlan)
            out.append(":").append(std::to_string(m_items[i].value));
    }
    if (m_overflow) out.append("/...");
    return out;
}

}  // namespace sipscope::analyzer
