#include "capture/capture_reader.hpp"

namespace sipscope::analyzer {

CaptureReader::CaptureReader(std::unique_ptr<ByteInput> in, const char* format)
    : m_in(std::move(in)), m_format(format) {}

std::string CaptureReader::formatName() const {
    std::string name = m_format;
    if (m_in->compressed()) name += ", gzip";
    return name;
}

bool CaptureReader::fail(std::uint64_t offset, std::string message) {
    m_done = true;
    m_error = SourceError{m_delivered + 1, offset, std::move(message)};
    return false;
}

bool CaptureReader::endOrTruncated(std::uint64_t offset, std::size_t needed, const char* what) {
    const std::size_t have = m_in->available();
    if (!m_in->error().empty()) return fail(offset, m_in->error());
    if (have == 0) {
        m_done = true;
        return false;
    }
    return fail(offset, std::string("truncated ") + what + ": the file ends after " +
                            std::to_string(have) + " of its " + std::to_string(needed) + " bytes");
}

void CaptureReader::noteLinkType(int linkType) {
    const auto index = static_cast<std::size_t>(linkType) & 0xffff;
    if (m_seenLinkTypes.test(index)) return;
    m_seenLinkTypes.set(index);
    m_linkTypes.push_back(linkType);
}

}  // namespace sipscope::analyzer
