#pragma once
// ByteInput: a forward-only, buffered byte stream over a file, standard input or a memory
// buffer, transparently gunzipped when it starts with the gzip magic. Readers peek at a record
// in place (no copy for records that fit the window) and then consume it. Memory stays bounded
// by the largest record, whatever the size of the input.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace sipscope::analyzer {

class ByteInput {
  public:
    // The window and the compressed read chunk: large enough to amortise system calls and
    // inflate() calls, small enough to stay in L2/L3.
    static constexpr std::size_t kChunkSize = std::size_t{1} << 20;

    // "-" reads file descriptor 0. Returns nullptr and sets `error` when the file cannot be
    // opened.
    static std::unique_ptr<ByteInput> openFile(const std::string& path, std::string& error);
    // Reads `bytes` in place; the caller keeps them alive for the lifetime of the input.
    static std::unique_ptr<ByteInput> openMemory(std::span<const std::uint8_t> bytes);

    ByteInput(const ByteInput&) = delete;
    ByteInput& operator=(const ByteInput&) = delete;
    ~ByteInput();

    // A pointer to `n` contiguous bytes at the read position, or nullptr when the input ends
    // (or fails: see error()) before `n` bytes are there; available() then says how many are.
    // The pointer stays valid until the next peek().
    const std::uint8_t* peek(std::size_t n) {
        if (m_end - m_pos >= n) return m_window.get() + m_pos;
        return peekSlow(n);
    }
    void consume(std::size_t n) noexcept {
        m_pos += n;
        m_offset += n;
    }
    // Bytes buffered at the read position (after a failed peek: all that is left).
    std::size_t available() const noexcept { return m_end - m_pos; }
    // Offset of the read position in the (decompressed) stream.
    std::uint64_t offset() const noexcept { return m_offset; }

    // While a pipe or a terminal has nothing to read (a live capture between packets), calls
    // `handler` every `intervalMs` (at least 10) on the reading thread, so a reader can flush
    // what it holds. Not used for regular files and memory, which never wait.
    void setIdleHandler(std::function<void()> handler, int intervalMs);

    bool compressed() const noexcept { return m_gzip != nullptr; }
    // Bytes of the underlying file consumed so far (compressed bytes for gzip).
    std::uint64_t rawBytesConsumed() const noexcept;
    // Size of the underlying file when it is a regular file (or the memory buffer).
    std::optional<std::uint64_t> rawSize() const noexcept { return m_rawSize; }
    // Non-empty when the stream ended because of a read error or corrupt gzip data rather than
    // a clean end of input.
    const std::string& error() const noexcept { return m_error; }

  private:
    struct Gzip;

    ByteInput();
    bool startDecompression();
    const std::uint8_t* peekSlow(std::size_t n);
    std::size_t fill(std::uint8_t* dst, std::size_t capacity);
    std::size_t readRaw(std::uint8_t* dst, std::size_t capacity);
    void waitReadable();
    std::size_t inflateSome(std::uint8_t* dst, std::size_t capacity);
    bool ensureCompressed(std::size_t n);
    bool startNextMember();

    // Decompressed (or plain) window: [m_pos, m_end) is buffered, unconsumed data.
    std::unique_ptr<std::uint8_t[]> m_window;
    std::size_t m_capacity = 0;
    std::size_t m_pos = 0;
    std::size_t m_end = 0;
    std::uint64_t m_offset = 0;

    int m_fd = -1;
    bool m_ownsFd = false;
    std::span<const std::uint8_t> m_memory;
    std::size_t m_memoryPos = 0;
    std::uint64_t m_rawRead = 0;
    bool m_rawEof = false;
    std::function<void()> m_idle;
    int m_idleMs = 250;
    std::optional<std::uint64_t> m_rawSize;
    std::unique_ptr<Gzip> m_gzip;
    std::string m_error;
};

}  // namespace sipscope::analyzer
