#include "message/sip_message.hpp"

#include "syntax/char_class.hpp"

namespace sipscope::stack {

const SipMessage::Index& SipMessage::emptyIndex() noexcept {
    static const Index kEmpty = [] {
        Index i;
        i.first.fill(-1);
        return i;
    }();
    return kEmpty;
}

SipMessage::Index& SipMessage::mutableIndex() {
    if (!m_index)
        m_index = std::make_shared<Index>(emptyIndex());
    else if (m_index.use_count() > 1)
        m_index = std::make_shared<Index>(*m_index);  // copy-on-write
    m_index->derived.reset();  // an edit is coming: what was derived may no longer hold
    return *m_index;
}

void SipMessage::reindex() {
    Index& idx = mutableIndex();
    idx.first.fill(-1);
    for (std::size_t i = idx.headers.size(); i-- > 0;)
        idx.first[static_cast<std::size_t>(idx.headers[i].id)] = static_cast<std::int16_t>(i);
    idx.first[0] = -1;
    idx.cache.clear();
    idx.keys.reset();
}

const HeaderField* SipMessage::header(std::string_view name) const noexcept {
    const HeaderId id = lookupHeader(name);
    if (id != HeaderId::Unknown) return header(id);
    for (const auto& h : index().headers)
        if (h.id == HeaderId::Unknown && syntax::iequals(h.name, name)) return &h;
    return nullptr;
}

std::size_t SipMessage::headerCount(HeaderId id) const noexcept {
    std::size_t n = 0;
    for (const auto& h : index().headers) n += (h.id == id) ? 1 : 0;
    return n;
}

Error SipMessage::rebase(const Error& e, std::size_t headerIndex) const {
    const HeaderField& h = index().headers[headerIndex];
    if (h.edited) return e.rebased(0, h.name);
    const auto valueOffset = static_cast<std::size_t>(h.value.data() - m_data.data());
    return e.rebased(valueOffset, h.name);
}

std::string_view SipMessage::own(std::string s) {
    auto p = std::make_shared<const std::string>(std::move(s));
    const std::string_view v(*p);
    mutableIndex().owned.push_back(std::move(p));
    return v;
}

void SipMessage::setHeader(HeaderId id, std::string value) {
    const auto i = indexOf(id);
    if (!i) {
        addHeader(headerName(id), std::move(value));
        return;
    }
    const std::string_view owned = own(std::move(value));
    Index& idx = mutableIndex();
    idx.headers[*i].value = owned;
    idx.headers[*i].edited = true;
    m_edited = true;
    idx.cache.clear();
    idx.keys.reset();
}

void SipMessage::addHeader(std::string_view name, std::string value) {
    HeaderField h;
    h.name = own(std::string(name));
    h.value = own(std::move(value));
    h.id = lookupHeader(name);
    h.edited = true;
    mutableIndex().headers.push_back(h);
    m_edited = true;
    reindex();
}

void SipMessage::removeHeaders(HeaderId id) {
    mutableIndex().headers.eraseIf([id](const HeaderField& h) { return h.id == id; });
    m_edited = true;
    reindex();
}

void SipMessage::setBody(std::string body) {
    const std::size_t n = body.size();
    const std::string_view owned = own(std::move(body));
    mutableIndex().body = owned;
    setHeader(HeaderId::ContentLength, std::to_string(n));
}

Bytes SipMessage::wireBytes() const {
    if (!m_edited && m_buffer && m_data.data() == m_buffer->data())
        return m_buffer.slice(0, m_data.size());
    return makeBytes(encode());
}

std::string SipMessage::encode() const {
    if (!m_edited) return std::string(m_data);
    std::string out;
    out.reserve(m_data.size() + 256);
    out.append(index().startLine).append("\r\n");
    for (const auto& h : index().headers) {
        if (h.edited) {
            out.append(h.name).append(": ").append(h.value);
        } else {
            out.append(m_data.substr(h.offset, h.rawLength));
        }
        out.append("\r\n");
    }
    out.append("\r\n").append(index().body);
    return out;
}

}  // namespace sipscope::stack
