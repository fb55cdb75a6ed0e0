#include "capture/byte_input.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sipscope::analyzer {

namespace {

constexpr std::size_t kMinChunk = 4096;

// RFC 1952 §2.3.1: every gzip member starts with ID1 = 0x1f, ID2 = 0x8b.
bool isGzipMagic(const std::uint8_t* p) {
    return p[0] == 0x1f && p[1] == 0x8b;
}

}  // namespace

struct ByteInput::Gzip {
    z_stream z{};
    bool initialised = false;
    bool memberDone = false;
    bool finished = false;
    std::unique_ptr<std::uint8_t[]> in;
    std::size_t inCapacity = 0;

    ~Gzip() {
        if (initialised) inflateEnd(&z);
    }
};

ByteInput::ByteInput() = default;

ByteInput::~ByteInput() {
    if (m_ownsFd && m_fd >= 0) ::close(m_fd);
}

std::unique_ptr<ByteInput> ByteInput::openFile(const std::string& path, std::string& error) {
    std::unique_ptr<ByteInput> in(new ByteInput);
    if (path == "-") {
        in->m_fd = STDIN_FILENO;
    } else {
        in->m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (in->m_fd < 0) {
            error = "cannot open '" + path + "': " + std::strerror(errno);
            return nullptr;
        }
        in->m_ownsFd = true;
    }
    struct stat st {};
    if (::fstat(in->m_fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            error = "cannot read '" + path + "': it is a directory";
            return nullptr;
        }
        if (S_ISREG(st.st_mode)) {
            in->m_rawSize = static_cast<std::uint64_t>(st.st_size);
            // Readers go front to back once: let the kernel read ahead aggressively.
            ::posix_fadvise(in->m_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        }
    }
    in->m_capacity = kChunkSize;
    in->m_window = std::make_unique_for_overwrite<std::uint8_t[]>(in->m_capacity);
    if (!in->startDecompression()) {
        error = in->m_error;
        return nullptr;
    }
    return in;
}

std::unique_ptr<ByteInput> ByteInput::openMemory(std::span<const std::uint8_t> bytes) {
    std::unique_ptr<ByteInput> in(new ByteInput);
    in->m_memory = bytes;
    in->m_rawSize = bytes.size();
    // Small inputs (the fuzzer's) should not pay for a full-size window.
    in->m_capacity = std::clamp(bytes.size(), kMinChunk, kChunkSize);
    in->m_window = std::make_unique_for_overwrite<std::uint8_t[]>(in->m_capacity);
    // Memory cannot fail to initialise except for zlib running out of memory; then the first
    // peek fails and error() says why.
    in->startDecompression();
    return in;
}

std::uint64_t ByteInput::rawBytesConsumed() const noexcept {
    if (!m_gzip) return m_offset;
    return m_rawRead - m_gzip->z.avail_in;
}

// Reads the first raw bytes into the window; when they are a gzip magic they move to the
// compressed buffer and the window is refilled by inflate() from then on.
bool ByteInput::startDecompression() {
    while (m_end < 2) {
        const std::size_t got = readRaw(m_window.get() + m_end, m_capacity - m_end);
        if (got == 0) return m_error.empty();
        m_end += got;
    }
    if (!isGzipMagic(m_window.get())) return true;

    auto gz = std::make_unique<Gzip>();
    gz->inCapacity = m_capacity;
    gz->in = std::make_unique_for_overwrite<std::uint8_t[]>(gz->inCapacity);
    std::memcpy(gz->in.get(), m_window.get(), m_end);
    gz->z.next_in = gz->in.get();
    gz->z.avail_in = static_cast<uInt>(m_end);
    m_end = 0;
    // 16 + MAX_WBITS: gzip wrapper only (zlib manual, inflateInit2); the magic was checked.
    if (inflateInit2(&gz->z, 16 + MAX_WBITS) != Z_OK) {
        m_error = "cannot initialise gzip decompression";
        return false;
    }
    gz->initialised = true;
    m_gzip = std::move(gz);
    return true;
}

const std::uint8_t* ByteInput::peekSlow(std::size_t n) {
    if (m_pos > 0) {
        std::memmove(m_window.get(), m_window.get() + m_pos, m_end - m_pos);
        m_end -= m_pos;
        m_pos = 0;
    }
    while (m_end < n) {
        if (m_end == m_capacity) {
            // Grow only while data keeps coming, so that a bogus length in a truncated file
            // does not allocate what the file never holds.
            const std::size_t newCapacity = std::min(std::max(m_capacity * 2, kMinChunk), n);
            auto grown = std::make_unique_for_overwrite<std::uint8_t[]>(newCapacity);
            std::memcpy(grown.get(), m_window.get(), m_end);
            m_window = std::move(grown);
            m_capacity = newCapacity;
        }
        const std::size_t got = fill(m_window.get() + m_end, m_capacity - m_end);
        if (got == 0) return nullptr;
        m_end += got;
    }
    return m_window.get();
}

std::size_t ByteInput::fill(std::uint8_t* dst, std::size_t capacity) {
    return m_gzip ? inflateSome(dst, capacity) : readRaw(dst, capacity);
}

// One read(2) rather than fread(): a pipe (live capture through sipscope-capture) returns
// what is there, and the reader must hand those packets on instead of waiting for a full chunk.
std::size_t ByteInput::readRaw(std::uint8_t* dst, std::size_t capacity) {
    if (m_rawEof || capacity == 0) return 0;
    if (m_fd < 0) {
        const std::size_t n = std::min(capacity, m_memory.size() - m_memoryPos);
        if (n == 0) {
            m_rawEof = true;
            return 0;
        }
        std::memcpy(dst, m_memory.data() + m_memoryPos, n);
        m_memoryPos += n;
        m_rawRead += n;
        return n;
    }
    for (;;) {
        waitReadable();
        const ssize_t r = ::read(m_fd, dst, capacity);
        if (r > 0) {
            m_rawRead += static_cast<std::uint64_t>(r);
            return static_cast<std::size_t>(r);
        }
        if (r == 0) break;
        if (errno == EINTR) continue;
        m_error = std::string("read error: ") + std::strerror(errno);
        break;
    }
    m_rawEof = true;
    return 0;
}

void ByteInput::setIdleHandler(std::function<void()> handler, int intervalMs) {
    m_idle = std::move(handler);
    m_idleMs = std::max(intervalMs, 10);
}

// A pipe with nothing to read: the idle handler runs every m_idleMs until there is something
// (or the writer is gone: poll() then reports the hang-up and read() returns the end).
void ByteInput::waitReadable() {
    if (!m_idle || m_rawSize) return;
    for (;;) {
        pollfd p{m_fd, POLLIN, 0};
        const int r = ::poll(&p, 1, m_idleMs);
        if (r > 0 || (r < 0 && errno != EINTR)) return;
        if (r == 0) m_idle();
    }
}

// Makes at least `n` compressed bytes available to inflate(), unless the file ends first.
bool ByteInput::ensureCompressed(std::size_t n) {
    z_stream& z = m_gzip->z;
    if (z.avail_in >= n) return true;
    std::memmove(m_gzip->in.get(), z.next_in, z.avail_in);
    z.next_in = m_gzip->in.get();
    while (z.avail_in < n) {
        const std::size_t got =
            readRaw(m_gzip->in.get() + z.avail_in, m_gzip->inCapacity - z.avail_in);
        if (got == 0) return false;
        z.avail_in += static_cast<uInt>(got);
    }
    return true;
}

// RFC 1952 §2.2: a gzip file is a series of members; `cat a.gz b.gz` is valid and decompresses
// to the concatenation.
bool ByteInput::startNextMember() {
    Gzip& gz = *m_gzip;
    if (!ensureCompressed(2) || !isGzipMagic(gz.z.next_in)) {
        // Bytes after the last member that are not a member (zero padding from tape-block
        // writers is common) are ignored, as gzip(1) does.
        gz.finished = true;
        return false;
    }
    inflateReset(&gz.z);
    gz.memberDone = false;
    return true;
}

std::size_t ByteInput::inflateSome(std::uint8_t* dst, std::size_t capacity) {
    Gzip& gz = *m_gzip;
    z_stream& z = gz.z;
    while (!gz.finished && m_error.empty()) {
        if (gz.memberDone && !startNextMember()) break;
        if (z.avail_in == 0 && !ensureCompressed(1)) {
            if (m_error.empty()) m_error = "gzip data truncated: the file ends inside a member";
            break;
        }
        z.next_out = dst;
        z.avail_out = static_cast<uInt>(std::min<std::size_t>(capacity, 1u << 30));
        const uInt before = z.avail_out;
        const uInt inBefore = z.avail_in;
        const int rc = inflate(&z, Z_NO_FLUSH);
        const std::size_t produced = before - z.avail_out;
        if (rc == Z_STREAM_END) {
            gz.memberDone = true;
        } else if (rc == Z_BUF_ERROR && z.avail_in == inBefore && produced == 0) {
            // No progress with input and output space available cannot recover.
            m_error = "corrupt gzip data";
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            m_error = std::string("corrupt gzip data: ") + (z.msg ? z.msg : "inflate failed");
        }
        if (produced > 0) return produced;
    }
    return 0;
}

}  // namespace sipscope::analyzer
