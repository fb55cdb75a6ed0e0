#include "options.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace sipscope::capture {

namespace {

bool parseNumber(std::string_view text, double& value) {
    const std::string copy(text);
    char* end = nullptr;
    errno = 0;
    value = std::strtod(copy.c_str(), &end);
    return !copy.empty() && errno == 0 && end && *end == '\0' && std::isfinite(value) && value >= 0;
}

bool parseCount(std::string_view text, std::uint64_t& value) {
    if (text.empty() || text.size() > 18) return false;
    value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return true;
}

struct ArgReader {
    int argc;
    char** argv;
    int index = 1;
    std::string& error;

    // The value following option `name`, or nullptr (with `error` set) when it is missing.
    const char* value(std::string_view name) {
        if (index + 1 >= argc) {
            error = "option " + std::string(name) + " needs a value";
            return nullptr;
        }
        return argv[++index];
    }
};

bool parseNumericOption(std::string_view name, const char* text, CaptureOptions& o,
                        std::string& error) {
    double number = 0;
    std::uint64_t count = 0;
    const bool isCount = name == "-s" || name == "--snaplen" || name == "-c" || name == "--count" ||
                         name == "--ring-files";
    const bool ok = isCount ? parseCount(text, count) : parseNumber(text, number);
    if (!ok) {
        error = "bad value '" + std::string(text) + "' for " + std::string(name);
        return false;
    }
    if (name == "-s" || name == "--snaplen") {
        if (count == 0 || count > 262144) {
            error = "snaplen must be between 1 and 262144";
            return false;
        }
        o.snaplen = static_cast<int>(count);
    } else if (name == "-c" || name == "--count") {
        o.count = count;
    } else if (name == "--ring-files") {
        if (count == 0 || count > 99999) {
            error = "--ring-files must be between 1 and 99999";
            return false;
        }
        o.ringFiles = static_cast<unsigned>(count);
    } else if (name == "--ring-size") {
        // Fractions are allowed (0.01 MB = 10 kB); at least one 4 kB block must fit.
        if (number < 0.004 || number > 1e6) {
            error = "--ring-size must be between 0.004 and 1000000 MB";
            return false;
        }
        o.ringBytes = static_cast<std::uint64_t>(number * 1e6);
    } else if (name == "--duration") {
        o.durationS = number;
    } else {
        o.statsIntervalS = number;
    }
    return true;
}

bool checkConsistency(const CaptureOptions& o, std::string& error) {
    if (o.mode != Mode::Capture) return true;
    if (o.interfaces.empty()) {
        error = "no interface given: use -i IF (sipscope-capture --list shows them)";
    } else if (o.ringFiles > 0 && o.ringBytes == 0) {
        error = "--ring-files needs --ring-size";
    } else if (o.ringBytes > 0 && o.output == "-") {
        error = "a ring buffer needs an output file: -w FILE";
    }
    return error.empty();
}

}  // namespace

bool parseOptions(int argc, char** argv, CaptureOptions& o, std::string& error) {
    ArgReader args{argc, argv, 1, error};
    for (; args.index < argc; ++args.index) {
        const std::string_view arg = argv[args.index];
        if (arg == "--help" || arg == "-h") {
            o.mode = Mode::Help;
            return true;
        }
        if (arg == "--version") {
            o.mode = Mode::Version;
            return true;
        }
        if (arg == "--list" || arg == "-D") {
            o.mode = Mode::List;
        } else if (arg == "--no-promisc") {
            o.promisc = false;
        } else if (arg == "-i" || arg == "--interface") {
            const char* v = args.value(arg);
            if (!v) return false;
            o.interfaces.emplace_back(v);
        } else if (arg == "-f" || arg == "--filter") {
            const char* v = args.value(arg);
            if (!v) return false;
            o.filter = v;
        } else if (arg == "-w" || arg == "--write") {
            const char* v = args.value(arg);
            if (!v) return false;
            o.output = v;
        } else if (arg == "-s" || arg == "--snaplen" || arg == "-c" || arg == "--count" ||
                   arg == "--ring-files" || arg == "--ring-size" || arg == "--duration" ||
                   arg == "--stats-interval") {
            const char* v = args.value(arg);
            if (!v || !parseNumericOption(arg, v, o, error)) return false;
        } else {
            error = "unknown argument '" + std::string(arg) + "'";
            return false;
        }
    }
    return checkConsistency(o, error);
}

void printUsage(std::FILE* out) {
    std::fputs(
        "usage: sipscope-capture --list | -D\n"
        "       sipscope-capture -i IF [-i IF2 ...] [-f BPF] [-s SNAPLEN] [--no-promisc]\n"
        "                        [-w FILE|-] [--ring-files N --ring-size MB]\n"
        "                        [--duration S] [--count N] [--stats-interval S]\n"
        "\n"
        "Captures live traffic with libpcap and writes pcapng (one interface description per\n"
        "-i, with its link type). This helper is the only SipScope program that needs capture\n"
        "privileges; grant them once with:\n"
        "  sudo setcap cap_net_raw,cap_net_admin+eip $(which sipscope-capture)\n"
        "\n"
        "  -D, --list             one JSON object per interface on stdout\n"
        "  -i, --interface IF     capture on IF (repeatable)\n"
        "  -f, --filter BPF       capture filter (tcpdump syntax), applied to every interface\n"
        "  -s, --snaplen N        bytes kept per packet (default 262144)\n"
        "      --no-promisc       do not put the interfaces into promiscuous mode\n"
        "  -w, --write FILE|-     output file (default '-': stdout, flushed per packet)\n"
        "      --ring-size MB     start a new file after MB megabytes (10^6 bytes):\n"
        "                         FILE_00001_<UTC yyyymmddhhmmss>.pcapng, FILE_00002_...\n"
        "      --ring-files N     keep only the newest N files (needs --ring-size)\n"
        "      --duration S       stop after S seconds\n"
        "  -c, --count N          stop after N packets\n"
        "      --stats-interval S statistics period in seconds (default 1; 0: start and exit "
        "only)\n"
        "      --version          version of this helper and of libpcap\n"
        "\n"
        "Statistics go to stderr, one JSON line per interface, when capture starts, every\n"
        "--stats-interval and at exit:\n"
        "  {\"interface\":\"lo\",\"received\":42,\"dropped\":0,\"if_dropped\":0}\n"
        "Stops cleanly on SIGINT/SIGTERM and exits 0 when the reader of stdout goes away.\n"
        "Exit codes: 0 success, 2 usage error, missing privileges or capture failure.\n"
        "\n"
        "example:\n"
        "  sipscope-capture -i lo -f 'udp port 5060' --duration 60 | sipscope-cli messages -\n"
        "  sipscope-capture -i eth0 -w sip.pcapng --ring-size 100 --ring-files 10\n",
        out);
}

}  // namespace sipscope::capture
