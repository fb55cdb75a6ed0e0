#pragma once
// The encapsulation a packet went through ("eth/vlan:10/ipv4/gre/ipv4/udp"), kept as a small
// fixed array while decoding and rendered as text only for SIP messages.

#include <array>
#include <cstdint>
#include <string>

namespace sipscope::analyzer {

enum class Layer : std::uint8_t {
    Eth,
    Vlan,
    PppoE,
    Ppp,
    Mpls,
    Sll,
    Sll2,
    Null,
    Raw,
    Ipv4,
    Ipv6,
    Gre,
    Erspan,
    Vxlan,
    Gtp,
    Udp,
    Tcp,
    Sctp,
    Hep,
    Ws
};

class LayerPath {
  public:
    void push(Layer l, std::uint32_t value = 0) noexcept {
        if (m_size < m_items.size())
            m_items[m_size++] = {l, value};
        else
            m_overflow = true;
    }
    std::size_t size() const noexcept { return m_size; }
    bool has(Layer l) const noexcept {
        for (std::size_t i = 0; i < m_size; ++i)
            if (m_items[i].layer == l) return true;
        return false;
    }
    std::string toString() const;
    bool operator==(const LayerPath& o) const noexcept {
        if (m_size != o.m_size || m_overflow != o.m_overflow) return false;
        for (std::size_t i = 0; i < m_size; ++i)
            if (m_items[i].layer != o.m_items[i].layer || m_items[i].value != o.m_items[i].value)
                return false;
        return true;
    }

  private:
    struct Item {
        Layer layer;
        std::uint32_t value;
    };
    std::array<Item, 16> m_items{};
    std::size_t m_size = 0;
    bool m_overflow = false;
};

// The text of the last path rendered: consecutive packets of a capture nearly always share
// their encapsulation, so the text is built again only when the path changes.
class LayerPathText {
  public:
    const std::string& operator()(const LayerPath& p) {
        if (!m_valid || !(p == m_path)) {
            m_path = p;
            m_text = p.toString();
            m_valid = true;
        }
        return m_text;
    }

  private:
    LayerPath m_path;
    std::string m_text;
    bool m_valid = false;
};

}  // namespace sipscope::analyzer
