// sipscope-cli: git-style subcommands over the SipScope libraries (see CLI.md).

#include <openssl/opensslv.h>

#include <cstdio>
#include <iostream>
#include <string_view>

#include "commands.hpp"

namespace {

using namespace sipscope::cli;

struct Command {
    std::string_view name;
    int (*run)(const Args&);
    std::string_view summary;
};

constexpr Command kCommands[] = {
    {"parse", cmdParse, "parse SIP message files and print one JSON object per file"},
    {"messages", cmdMessages, "every SIP message of a capture file, or a --summary"},
    {"interfaces", cmdInterfaces, "list the interfaces live capture can open"},
    {"capture", cmdCapture, "capture live (through sipscope-capture) and print SIP messages"},
    {"calls", cmdCalls, "calls rebuilt from a capture (transactions, dialogs, legs, metrics)"},
    {"transactions", cmdTransactions, "every SIP transaction of a capture"},
    {"stats", cmdStats, "RFC 6076 metrics per peer for a capture"},
    {"events", cmdEvents, "the analyzer's event log: message roles, dialogs, anomalies"},
    {"import", cmdImport, "analyse captures into a SipScope database (SQLite)"},
    {"ladder", cmdLadder, "a call's ladder diagram: text, SVG, Mermaid or HTML"},
    {"export-pcap", cmdExportPcap, "write calls' messages from the database as pcap"},
    {"streams", cmdStreams, "RTP streams of a capture: loss, jitter, MOS, DTMF, problems"},
    {"audio", cmdAudio, "a call's G.711 audio from the database as a WAV file"},
    {"call", cmdCall, "place a test call (UDP, TCP, TLS) and report its outcome as JSON"},
    {"options", cmdOptions, "send an OPTIONS ping and report the latency as JSON"},
    {"register", cmdRegister, "REGISTER with digest auth and report the granted expiry"},
    {"listen", cmdListen, "answer test calls with a chosen code and delay"},
    {"message", cmdMessage, "send a MESSAGE (RFC 3428) and report the answer as JSON"},
};

void usage(std::FILE* out) {
    std::fprintf(out, "usage: sipscope-cli <command> [options]\n\ncommands:\n");
    for (const auto& c : kCommands)
        std::fprintf(out, "  %-12.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                     static_cast<int>(c.summary.size()), c.summary.data());
    std::fprintf(out,
                 "\n  sipscope-cli <command> --help   help and an example for one command\n"
                 "  sipscope-cli --version          version and library versions\n");
}

}  // namespace

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const std::string_view cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        usage(stdout);
        return 0;
    }
    if (cmd == "--version") {
        std::printf("sipscope-cli %s\nOpenSSL %s\n", SIPSCOPE_VERSION, OPENSSL_FULL_VERSION_STR);
        return 0;
    }
    for (const auto& c : kCommands) {
        if (c.name == cmd) return c.run(Args(argv + 2, argv + argc));
    }
    std::fprintf(stderr, "sipscope-cli: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
