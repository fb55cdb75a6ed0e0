#include "interfaces.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

#include <string>

#include "json_quote.hpp"

namespace sipscope::capture {

namespace {

// IPv4 and IPv6 addresses as strings without brackets; link-layer entries are skipped.
std::string addressesJson(const pcap_addr_t* addresses) {
    std::string out = "[";
    for (const pcap_addr_t* a = addresses; a; a = a->next) {
        if (!a->addr) continue;
        char text[INET6_ADDRSTRLEN] = {};
        const void* raw = nullptr;
        if (a->addr->sa_family == AF_INET)
            raw = &reinterpret_cast<const sockaddr_in*>(a->addr)->sin_addr;
        else if (a->addr->sa_family == AF_INET6)
            raw = &reinterpret_cast<const sockaddr_in6*>(a->addr)->sin6_addr;
        if (!raw || !inet_ntop(a->addr->sa_family, raw, text, sizeof text)) continue;
        if (out.size() > 1) out += ',';
        out += jsonQuote(text);
    }
    return out + "]";
}

const char* boolText(bool value) {
    return value ? "true" : "false";
}

}  // namespace

int listInterfaces(std::FILE* out) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_if_t* devices = nullptr;
    if (pcap_findalldevs(&devices, errbuf) != 0) {
        std::fprintf(stderr, "sipscope-capture: cannot list interfaces: %s\n", errbuf);
        return 2;
    }
    for (const pcap_if_t* d = devices; d; d = d->next) {
        const std::string description = d->description ? jsonQuote(d->description) : "null";
        std::fprintf(out,
                     "{\"name\":%s,\"description\":%s,\"addresses\":%s,\"loopback\":%s,"
                     "\"up\":%s,\"running\":%s}\n",
                     jsonQuote(d->name).c_str(), description.c_str(),
                     addressesJson(d->addresses).c_str(), boolText(d->flags & PCAP_IF_LOOPBACK),
                     boolText(d->flags & PCAP_IF_UP), boolText(d->flags & PCAP_IF_RUNNING));
        std::fflush(out);
    }
    pcap_freealldevs(devices);
    return 0;
}

}  // namespace sipscope::capture
