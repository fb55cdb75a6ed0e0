#pragma once
// A BPF filter expression (tcpdump syntax) applied to packets read from files, compiled once
// per link type with libpcap.

#include <map>
#include <memory>
#include <string>

#include "capture/packet_source.hpp"

namespace sipscope::analyzer {

class BpfFilter {
  public:
    // Checks the expression against Ethernet; false with `error` set when it does not compile.
    bool compile(const std::string& expression, std::string& error);
    bool matches(const RawPacket& packet);
    bool empty() const noexcept { return m_expression.empty(); }

  private:
    struct Program;
    Program* programFor(int linkType);

    std::string m_expression;
    std::map<int, std::shared_ptr<Program>> m_programs;  // nullptr value: cannot compile
};

}  // namespace sipscope::analyzer
