#include "capture/bpf_filter.hpp"

#include <pcap/pcap.h>

namespace sipscope::analyzer {

struct BpfFilter::Program {
    bpf_program prog{};
    ~Program() { pcap_freecode(&prog); }
};

namespace {
constexpr int kSnap = 262144;
}  // namespace

bool BpfFilter::compile(const std::string& expression, std::string& error) {
    m_expression = expression;
    m_programs.clear();
    if (expression.empty()) return true;
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, kSnap);
    if (!dead) {
        error = "libpcap cannot open a dead handle";
        return false;
    }
    auto p = std::make_shared<Program>();
    const bool ok = pcap_compile(dead, &p->prog, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (!ok) error = std::string("invalid BPF filter: ") + pcap_geterr(dead);
    pcap_close(dead);
    if (ok) m_programs[DLT_EN10MB] = std::move(p);
    return ok;
}

BpfFilter::Program* BpfFilter::programFor(int linkType) {
    auto it = m_programs.find(linkType);
    if (it != m_programs.end()) return it->second.get();
    pcap_t* dead = pcap_open_dead(linkType, kSnap);
    std::shared_ptr<Program> p;
    if (dead) {
        p = std::make_shared<Program>();
        if (pcap_compile(dead, &p->prog, m_expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
            p.reset();
        pcap_close(dead);
    }
    return m_programs.emplace(linkType, p).first->second.get();
}

bool BpfFilter::matches(const RawPacket& packet) {
    if (m_expression.empty()) return true;
    Program* p = programFor(packet.linkType);
    if (!p) return false;  // the expression means nothing on this link type
    pcap_pkthdr hdr{};
    hdr.caplen = static_cast<bpf_u_int32>(packet.data.size());
    hdr.len = packet.origLength;
    return pcap_offline_filter(&p->prog, &hdr, packet.data.data()) != 0;
}

}  // namespace sipscope::analyzer
