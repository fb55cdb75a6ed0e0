#pragma once
// SipMessage: one immutable, shared byte buffer plus an index of slices into it
// (ARCHITECTURE.md "Bytes and messages"). Typed header values are parsed on first access and
// cached; untouched headers are written back byte for byte, edited ones re-encoded.
//
// Copies are cheap: the bytes and the header index (with the typed-value cache) are shared, and
// an edit copies the index first (copy-on-write). A SipMessage and its copies are not
// thread-safe for concurrent first access of typed values (the shared cache is filled lazily);
// hand a message to another thread after the values needed were read, or parse it again.

#include <any>
#include <array>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "message/bytes.hpp"
#include "message/header_id.hpp"
#include "message/inline_list.hpp"
#include "message/key_header_slices.hpp"
#include "message/typed_cache.hpp"

namespace sipscope::stack {

struct HeaderField {
    HeaderId id = HeaderId::Unknown;
    bool edited = false;          // value replaced after parsing: re-encoded on output
    bool malformed = false;       // the line is not `name: value`; kept for display
    std::uint32_t offset = 0;     // byte offset of the line in the message
    std::uint32_t rawLength = 0;  // length of the whole (possibly folded) line, no terminator
    std::string_view name;        // as on the wire ("v", "MaX-fOrWaRdS")
    std::string_view value;       // LWS-trimmed; folded lines keep their CRLF+WSP inside
};

struct ParseLimits {
    std::size_t maxHeaders = 512;
    std::size_t maxMessageBytes = 16 * 1024 * 1024;
};

class SipMessage {
  public:
    // Parses one message occupying `bytes` (a datagram or a framed stream message). Fails only
    // when the start line is not SIP at all; everything else is recorded in errors()/issues().
    static Result<SipMessage> parse(Bytes bytes, const ParseLimits& limits = {});
    static Result<SipMessage> parse(std::string_view bytes, const ParseLimits& limits = {}) {
        return parse(makeBytes(bytes), limits);
    }

    // What a parse of a stream buffer tells the stream framer (parseStreamPrefix()).
    struct StreamPrefix {
        bool headerComplete = false;  // the empty line ending the header section was found
        bool lwsLine = false;         // a header line starts with SP/HT/CR (folded, malformed): the
                                      // framer's own Content-Length rules may differ, it decides
        std::size_t headerEnd = 0;    // first byte after the empty line
        std::optional<std::int64_t> contentLength;  // first Content-Length; -1: not a number
    };
    // Parses the message at the start of `bytes`, a stream buffer that may hold more bytes
    // after it. A message without Content-Length has an empty body (RFC 3261 §18.3), bytes
    // after the body are not trailing data, and buffer() is narrowed to the message: the
    // result is the message parse(exact bytes) gives, when `prefix` says it is complete.
    static Result<SipMessage> parseStreamPrefix(Bytes bytes, const ParseLimits& limits,
                                                StreamPrefix& prefix);

    bool isRequest() const noexcept { return index().isRequest; }
    bool isResponse() const noexcept { return !index().isRequest; }
    std::string_view method() const noexcept { return index().method; }          // requests
    std::string_view requestUri() const noexcept { return index().requestUri; }  // requests, raw
    std::string_view version() const noexcept { return index().version; }
    std::optional<int> status() const noexcept { return index().status; }  // responses
    std::string_view reason() const noexcept { return index().reason; }
    std::string_view startLine() const noexcept { return index().startLine; }

    std::span<const HeaderField> headers() const noexcept {
        return {index().headers.data(), index().headers.size()};
    }
    const HeaderField* header(HeaderId id) const noexcept;            // first occurrence
    const HeaderField* header(std::string_view name) const noexcept;  // any name, compact too
    std::size_t headerCount(HeaderId id) const noexcept;
    std::string_view headerValue(HeaderId id) const noexcept;  // "" when absent

    std::string_view body() const noexcept { return index().body; }
    std::size_t bodyOffset() const noexcept { return index().bodyOffset; }
    std::string_view bytes() const noexcept { return m_data; }  // this message only
    const Bytes& buffer() const noexcept { return m_buffer; }
    // What encode() gives, as Bytes: a slice of buffer() sharing it when the message was not
    // edited, a copy otherwise. Parsing them again gives this message; keeping them instead of
    // the message keeps only the bytes, not the parsed index and typed values.
    Bytes wireBytes() const;

    // Structural problems found while parsing (make the message unacceptable) and tolerated
    // oddities. Header grammar is checked by validate() (message/validate.hpp).
    const std::vector<Error>& errors() const noexcept { return index().errors; }
    const std::vector<Error>& issues() const noexcept { return index().issues; }

    // Typed access, parsed on first use and cached per header line. T must provide
    // `static Result<T> parse(std::string_view value)`. Error offsets are message offsets.
    template <class T>
    const Result<T>& typed(std::size_t headerIndex) const;
    template <class T>
    const Result<T>* typed(HeaderId id) const {  // first occurrence, nullptr when absent
        const auto i = indexOf(id);
        return i ? &typed<T>(*i) : nullptr;
    }
    std::optional<std::size_t> indexOf(HeaderId id) const noexcept;
    // Call-ID, top Via, tags and CSeq (message/key_headers.hpp): read on first use and kept
    // with the typed values; every layer of the passive pipeline asks for them.
    const KeyHeaders& keyHeaders() const noexcept;
    // One value of type T derived from the whole message, made by `make()` on first use and
    // kept with the typed values until an edit (message/body.hpp keeps the body's inspection
    // here, which the call tracker and the media tracker both ask for). One type at a time:
    // asking for another replaces it.
    template <class T, class Make>
    const T& derived(Make&& make) const;

    // Editing (the active UA). Edited lines are re-encoded as "Name: value".
    void setHeader(HeaderId id, std::string value);  // replaces the first, or appends
    void addHeader(std::string_view name, std::string value);
    void removeHeaders(HeaderId id);
    void setBody(std::string body);  // also sets Content-Length
    bool edited() const noexcept { return m_edited; }

    // The message as bytes: the original bytes when nothing was edited.
    std::string encode() const;

  private:
    std::string_view own(std::string s);
    void reindex();
    Error rebase(const Error& e, std::size_t headerIndex) const;

    // A cached typed value is a Result<T> tagged with the address of kTypeTag<T>: a hit costs a
    // pointer comparison (std::any compared type_info names and allocated each value).
    template <class T>
    static constexpr char kTypeTag = 0;

    // The parse (start line, header index, body) and everything derived from it, shared by
    // copies (copy-on-write). A message is then its bytes and a pointer: 72 bytes, which an
    // open transaction's shadows hold several of.
    struct Index {
        Index() noexcept {}  // user-provided: make_shared does not zero the inline slots first
        bool isRequest = false;
        std::optional<int> status;
        std::string_view method, requestUri, version, reason, startLine, body;
        std::size_t bodyOffset = 0;
        std::vector<std::shared_ptr<const std::string>> owned;  // storage of edited values
        // Inline slots for a typical message (the Index is one allocation of about 1.2 KiB);
        // more headers move to the heap.
        InlineList<HeaderField, 14> headers;
        std::array<std::int16_t, static_cast<std::size_t>(HeaderId::Count_)> first{};
        std::vector<Error> errors, issues;
        mutable TypedCache cache;                // copies of the Index start with an empty cache
        mutable std::optional<KeyHeaders> keys;  // cleared with the cache on edits
        mutable std::shared_ptr<const void> derived;  // derived<T>(), tagged with kTypeTag<T>
        mutable const char* derivedTag = nullptr;
    };
    const Index& index() const noexcept { return m_index ? *m_index : emptyIndex(); }
    Index& mutableIndex();
    static const Index& emptyIndex() noexcept;

    Bytes m_buffer;
    std::string_view m_data;
    std::shared_ptr<Index> m_index;
    bool m_edited = false;

    friend class MessageParser;
};

// Inline: the analyzer reads a few headers of every message through these.
template <class T, class Make>
const T& SipMessage::derived(Make&& make) const {
    if (!m_index) {  // nothing shared to keep it in (a default-constructed message)
        thread_local std::optional<T> made;
        made.emplace(make());
        return *made;
    }
    const Index& idx = *m_index;
    if (!idx.derived || idx.derivedTag != &kTypeTag<T>) {
        idx.derived = std::make_shared<const T>(make());
        idx.derivedTag = &kTypeTag<T>;
    }
    return *static_cast<const T*>(idx.derived.get());
}

inline std::optional<std::size_t> SipMessage::indexOf(HeaderId id) const noexcept {
    const auto i = index().first[static_cast<std::size_t>(id)];
    if (i < 0) return std::nullopt;
    return static_cast<std::size_t>(i);
}

inline const HeaderField* SipMessage::header(HeaderId id) const noexcept {
    const auto i = indexOf(id);
    return i ? &index().headers[*i] : nullptr;
}

inline std::string_view SipMessage::headerValue(HeaderId id) const noexcept {
    const HeaderField* h = header(id);
    return h ? h->value : std::string_view();
}

template <class T>
const Result<T>& SipMessage::typed(std::size_t headerIndex) const {
    const Index& idx = index();
    TypedCache::Slot& slot = idx.cache.slot(headerIndex, idx.headers.size());
    if (slot.type == &kTypeTag<T>) return *static_cast<const Result<T>*>(slot.value);
    Result<T> r = T::parse(idx.headers[headerIndex].value);
    if (!r.ok()) r = Result<T>(rebase(r.error(), headerIndex));
    void* mem = idx.cache.allocate(sizeof(Result<T>), alignof(Result<T>));
    auto* value = ::new (mem) Result<T>(std::move(r));
    TypedCache::release(slot);
    slot.type = &kTypeTag<T>;
    slot.value = value;
    slot.destroy = [](void* p) noexcept { std::destroy_at(static_cast<Result<T>*>(p)); };
    return *value;
}

}  // namespace sipscope::stack
