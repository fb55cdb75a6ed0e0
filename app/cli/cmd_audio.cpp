// `sipscope-cli audio --db LIB --call ID [--stream SSRC]... -w OUT.wav`: a call's G.711 audio
// from the RTP packets stored with its capture (issue 9).

#include <cstdlib>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "json_writer.hpp"
#include "media/media_json.hpp"
#include "media/wav_writer.hpp"
#include "store/media_audio.hpp"
#include "store/media_packets.hpp"
#include "store/store_reader.hpp"

namespace sipscope::cli {

namespace store = analyzer::store;

namespace {

constexpr const char* kHelp =
    "usage: sipscope-cli audio --db LIB.sqlite --call CALL_ID [--stream SSRC]... -w OUT.wav\n"
    "\n"
    "Writes a call's audio as a 16-bit PCM WAV file at 8000 Hz, decoded from the RTP packets\n"
    "the database keeps with its capture (G.711: PCMU and PCMA). Packets are put in sequence\n"
    "order, duplicates dropped, and lost packets or silence suppression become silence of the\n"
    "length the RTP timestamps say. One --stream gives a mono file; two give a stereo file\n"
    "(first stream left) with both directions on one time axis. Without --stream the call's\n"
    "G.711 streams are taken when there are one or two. SSRC: 0x-hex (as `streams` prints) or\n"
    "decimal. Prints a JSON summary on stdout.\n"
    "\n"
    "Exit status: 0 written, 1 no such call/stream or nothing to decode, 2 usage error or\n"
    "unwritable file.\n"
    "\n"
    "example:\n"
    "  sipscope-cli streams --db lib.sqlite --call a84b4c76e66710\n"
    "  sipscope-cli audio --db lib.sqlite --call a84b4c76e66710 --stream 0x5f3c2a10 -w a.wav\n";

struct AudioArgs {
    std::string db, callId, out;
    std::vector<std::uint32_t> ssrcs;
};

bool parseSsrc(std::string_view text, std::uint32_t& ssrc) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        text.remove_prefix(2);
        base = 16;
    }
    if (text.empty() || text.size() > 10) return false;
    const std::string s(text);
    char* end = nullptr;
    const unsigned long long v = std::strtoull(s.c_str(), &end, base);
    if (*end != '\0' || v > 0xFFFFFFFFull) return false;
    ssrc = static_cast<std::uint32_t>(v);
    return true;
}

// 0 parsed, 1 help printed, 2 usage error (printed).
int parseArgs(const Args& args, AudioArgs& a) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto arg = args[i];
        const bool more = i + 1 < args.size();
        if (arg == "--help" || arg == "-h") {
            std::cout << kHelp;
            return 1;
        } else if (arg == "--db" && more) {
            a.db = std::string(args[++i]);
        } else if (arg == "--call" && more) {
            a.callId = std::string(args[++i]);
        } else if ((arg == "-w" || arg == "-o") && more) {
            a.out = std::string(args[++i]);
        } else if (arg == "--stream" && more) {
            std::uint32_t ssrc = 0;
            if (!parseSsrc(args[++i], ssrc)) {
                std::cerr << "sipscope-cli audio: bad SSRC '" << args[i] << "'\n";
                return 2;
            }
            a.ssrcs.push_back(ssrc);
        } else {
            std::cerr << "sipscope-cli audio: unexpected '" << arg << "'\n" << kHelp;
            return 2;
        }
    }
    if (a.db.empty() || a.callId.empty() || a.out.empty() || a.ssrcs.size() > 2) {
        if (a.ssrcs.size() > 2) std::cerr << "sipscope-cli audio: at most two --stream\n";
        std::cerr << kHelp;
        return 2;
    }
    return 0;
}

std::string describe(const store::StoredStream& s) {
    return analyzer::ssrcText(s.row.ssrc) + " " + s.row.src + ":" + std::to_string(s.row.sport) +
           " -> " + s.row.dst + ":" + std::to_string(s.row.dport) + " " +
           (s.row.encoding.empty() ? "?" : s.row.encoding);
}

bool isG711(const store::StoredStream& s) {
    return s.row.encoding == "PCMU" || s.row.encoding == "PCMA";
}

// The streams to decode, or an empty list with the reason printed.
std::vector<store::StoredStream> pick(const AudioArgs& a,
                                      const std::vector<store::StoredStream>& all) {
    std::vector<store::StoredStream> out;
    if (a.ssrcs.empty()) {
        for (const auto& s : all)
            if (isG711(s)) out.push_back(s);
        if (out.empty() || out.size() > 2) {
            std::cerr << "sipscope-cli audio: the call has " << out.size()
                      << " G.711 streams; choose one or two with --stream:\n";
            for (const auto& s : all) std::cerr << "  " << describe(s) << '\n';
            out.clear();
        }
        return out;
    }
    for (std::uint32_t ssrc : a.ssrcs) {
        bool found = false;
        for (const auto& s : all)
            if (s.row.ssrc == ssrc && !found) {
                out.push_back(s);
                found = true;
            }
        if (!found) {
            std::cerr << "sipscope-cli audio: the call has no stream with SSRC "
                      << analyzer::ssrcText(ssrc) << "; its streams:\n";
            for (const auto& s : all) std::cerr << "  " << describe(s) << '\n';
            return {};
        }
    }
    return out;
}

void printSummary(const AudioArgs& a, const std::vector<store::StoredStream>& streams,
                  const std::vector<store::StreamAudio>& audio, std::size_t frames) {
    JsonWriter w;
    w.beginObject();
    w.key("file").value(a.out);
    w.key("call_id").value(a.callId);
    w.key("channels").value(static_cast<std::uint32_t>(audio.size()));
    w.key("sample_rate").value(8000u);
    w.key("duration_s").value(static_cast<double>(frames) / 8000.0, 3);
    w.key("streams").beginArray();
    for (std::size_t i = 0; i < audio.size(); ++i) {
        const auto& s = streams[i].row;
        w.beginObject();
        w.key("ssrc").value(analyzer::ssrcText(s.ssrc));
        w.key("src").value(s.src + ":" + std::to_string(s.sport));
        w.key("dst").value(s.dst + ":" + std::to_string(s.dport));
        w.key("encoding").value(audio[i].encoding);
        w.key("packets").value(audio[i].packets);
        w.key("samples").value(static_cast<std::uint64_t>(audio[i].samples.size()));
        w.key("silence_inserted_s").value(static_cast<double>(audio[i].gapSamples) / 8000.0, 3);
        w.endObject();
    }
    w.endArray();
    w.endObject();
    std::cout << w.str() << '\n';
}

}  // namespace

int cmdAudio(const Args& args) {
    AudioArgs a;
    if (int rc = parseArgs(args, a)) return rc == 1 ? 0 : rc;
    try {
        store::StoreReader reader(a.db);
        const auto calls = reader.callsById(a.callId);
        if (calls.empty()) {
            std::cerr << "sipscope-cli audio: no call with Call-ID " << a.callId << '\n';
            return 1;
        }
        const auto& call = calls.front();
        const auto streams = pick(a, store::readCallStreams(reader.database(), call.captureId,
                                                            static_cast<std::uint64_t>(call.key)));
        if (streams.empty()) return 1;
        std::vector<store::StreamAudio> audio;
        std::vector<const store::StreamAudio*> channels;
        for (const auto& s : streams) {
            audio.push_back(store::readStreamAudio(reader.database(), s.id));
            if (!audio.back().ok) {
                std::cerr << "sipscope-cli audio: " << describe(s) << ": " << audio.back().error
                          << '\n';
                return 1;
            }
        }
        for (const auto& x : audio) channels.push_back(&x);
        const auto samples = store::interleaveAligned(channels);
        std::string error;
        const int n = static_cast<int>(channels.size());
        if (!analyzer::writeWav(a.out, samples, n, 8000, error)) {
            std::cerr << "sipscope-cli audio: " << error << '\n';
            return 2;
        }
        printSummary(a, streams, audio, samples.size() / channels.size());
    } catch (const analyzer::sql::Error& e) {
        std::cerr << "sipscope-cli audio: " << e.message << '\n';
        return 2;
    }
    return 0;
}

}  // namespace sipscope::cli
