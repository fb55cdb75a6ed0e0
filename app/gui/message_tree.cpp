// The Field/Value tree of MessageView (message_tree.hpp).

#include "message_tree.hpp"

#include <QStandardItemModel>
#include <QTreeView>

#include "message/body.hpp"
#include "message/name_addr.hpp"
#include "message/simple_headers.hpp"
#include "message/validate.hpp"
#include "message/via.hpp"
#include "message_view.hpp"
#include "sdp/sdp.hpp"

namespace sipscope::gui {

namespace {

using stack::Error;
using stack::HeaderId;
using stack::SipMessage;

QString qs(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

// Error and issue items keep their severity; recolorTree() paints them with the palette's
// colours (again after a palette change).
constexpr int kSeverityRole = Qt::UserRole + 3;

constexpr int kExpandRole = Qt::UserRole + 4;  // expanded when shown

// The Value cell of the row whose Field cell is `field`.
QStandardItem* valueOf(QStandardItem* field) {
    return field->parent() ? field->parent()->child(field->row(), 1)
                           : field->model()->item(field->row(), 1);
}

void markSeverity(QStandardItem* field, int column, bool error) {
    (column == 0 ? field : valueOf(field))->setData(error ? 1 : 2, kSeverityRole);
}

void expand(QStandardItem* field) {
    field->setData(true, kExpandRole);
}

void setBytes(QStandardItem* field, qlonglong start, qlonglong end) {
    field->setData(start, MessageView::kByteStartRole);
    field->setData(end, MessageView::kByteEndRole);
}

class TreeBuilder {
  public:
    explicit TreeBuilder(const SipMessage& m) : m_m(m) {}

    QStandardItem* add(QStandardItem* parent, const QString& field, const QString& value,
                       std::string_view bytes = {}) {
        auto* item = new QStandardItem(field);
        parent->appendRow({item, new QStandardItem(value)});
        const char* base = m_m.bytes().data();
        if (!bytes.empty() && bytes.data() >= base &&
            bytes.data() + bytes.size() <= base + m_m.bytes().size()) {
            setBytes(item, bytes.data() - base, bytes.data() - base + qlonglong(bytes.size()));
        }
        return item;
    }
    QStandardItem* add(QStandardItem* parent, const QString& field, std::string_view value) {
        return add(parent, field, qs(value), value);
    }

    void startLine(QStandardItem* root);
    void header(QStandardItem* root, std::size_t index);
    void body(QStandardItem* root);
    void findings(QStandardItem* root, const MessageFindings& f);

  private:
    void uri(QStandardItem* parent, const stack::Uri& u);
    void params(QStandardItem* parent, const stack::ParamList& list, std::string_view skip);
    void nameAddr(QStandardItem* parent, const stack::NameAddr& na);
    void via(QStandardItem* parent, const stack::Via& v);
    void sdp(QStandardItem* parent, const stack::SdpSession& s);
    void media(QStandardItem* parent, const stack::SdpSession& s, const stack::SdpMedia& m);
    template <class T>
    const T* typed(QStandardItem* item, std::size_t index) {
        const auto& r = m_m.typed<T>(index);
        if (r.ok()) return &r.value();
        markSeverity(item, 1, true);
        expand(item);
        markSeverity(add(item, QStringLiteral("error"), errorText(r.error())), 1, true);
        return nullptr;
    }

    const SipMessage& m_m;
};

void TreeBuilder::startLine(QStandardItem* root) {
    if (m_m.isRequest()) {
        root->setText(QStringLiteral("Request"));
        add(root, QStringLiteral("Method"), m_m.method());
        auto* ruri = add(root, QStringLiteral("Request-URI"), m_m.requestUri());
        if (auto u = stack::parseUri(m_m.requestUri()); u.ok()) uri(ruri, *u);
    } else {
        root->setText(QStringLiteral("Status"));
        add(root, QStringLiteral("Status-Code"), QString::number(m_m.status().value_or(0)));
        add(root, QStringLiteral("Reason"), m_m.reason());
    }
    add(root, QStringLiteral("Version"), m_m.version());
    const std::string_view line = m_m.startLine();
    valueOf(root)->setText(qs(line));
    const qlonglong start = line.data() - m_m.bytes().data();
    setBytes(root, start, start + qlonglong(line.size()));
}

void TreeBuilder::uri(QStandardItem* parent, const stack::Uri& u) {
    add(parent, QStringLiteral("scheme"), u.schemeName);
    if (!u.isSip()) {
        add(parent,
            u.scheme == stack::UriScheme::Tel ? QStringLiteral("number") : QStringLiteral("opaque"),
            u.scheme == stack::UriScheme::Tel ? u.tel.number : u.opaque);
        return;
    }
    if (u.sip.hasUserInfo) add(parent, QStringLiteral("user"), u.sip.user);
    add(parent, QStringLiteral("host"), u.sip.host);
    if (u.sip.port) add(parent, QStringLiteral("port"), QString::number(*u.sip.port));
    for (const auto& p : u.sip.params)
        add(parent, QStringLiteral(";") + qs(p.name), qs(p.value), p.hasValue ? p.value : p.name);
    for (const auto& h : u.sip.headers)
        add(parent, QStringLiteral("?") + qs(h.name), qs(h.value), h.value);
}

void TreeBuilder::params(QStandardItem* parent, const stack::ParamList& list,
                         std::string_view skip) {
    for (const auto& p : list) {
        if (!skip.empty() && p.name.size() == skip.size() &&
            std::equal(p.name.begin(), p.name.end(), skip.begin(),
                       [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
            continue;
        add(parent, QStringLiteral(";") + qs(p.name), qs(p.value), p.hasValue ? p.value : p.name);
    }
}

void TreeBuilder::nameAddr(QStandardItem* parent, const stack::NameAddr& na) {
    if (!na.display.empty())
        add(parent, QStringLiteral("display name"), QString::fromStdString(na.displayName()),
            na.display);
    auto* u = add(parent, QStringLiteral("URI"), na.uri.raw);
    uri(u, na.uri);
    if (const auto t = na.tag(); !t.empty()) add(parent, QStringLiteral("tag"), t);
    params(parent, na.params, "tag");
}

void TreeBuilder::via(QStandardItem* parent, const stack::Via& v) {
    add(parent, QStringLiteral("protocol"),
        qs(v.protocolName) + QLatin1Char('/') + qs(v.protocolVersion) + QLatin1Char('/') +
            qs(v.transport),
        v.transport);
    add(parent, QStringLiteral("sent-by"),
        qs(v.host) + (v.port ? QStringLiteral(":%1").arg(*v.port) : QString()), v.host);
    if (const auto b = v.branch(); !b.empty()) add(parent, QStringLiteral("branch"), b);
    if (const auto r = v.received(); !r.empty()) add(parent, QStringLiteral("received"), r);
    if (v.hasRport())
        add(parent, QStringLiteral("rport"),
            v.rport() ? QString::number(*v.rport()) : QStringLiteral("(requested)"));
    if (const auto a = v.maddr(); !a.empty()) add(parent, QStringLiteral("maddr"), a);
    for (const auto& p : v.params) {
        const QString n = qs(p.name).toLower();
        if (n == u"branch" || n == u"received" || n == u"rport" || n == u"maddr") continue;
        add(parent, QStringLiteral(";") + qs(p.name), qs(p.value), p.hasValue ? p.value : p.name);
    }
}

void TreeBuilder::header(QStandardItem* root, std::size_t index) {
    const auto& h = m_m.headers()[index];
    auto* item = add(root, qs(h.name), qs(h.value),
                     std::string_view(m_m.bytes().data() + h.offset, h.rawLength));
    if (h.malformed) {  // not `name: value`: the whole line is shown as it is
        item->setText(QStringLiteral("(malformed)"));
        valueOf(item)->setText(qs(std::string_view(m_m.bytes().data() + h.offset, h.rawLength)));
        markSeverity(item, 0, true);
        return;
    }
    switch (h.id) {
        case HeaderId::Via:
            if (const auto* l = typed<stack::ViaList>(item, index)) {
                for (const auto& v : l->vias)
                    via(l->vias.size() == 1 ? item : add(item, QStringLiteral("Via"), qs(v.host)),
                        v);
            }
            break;
        case HeaderId::From:
        case HeaderId::To:
            if (const auto* na = typed<stack::NameAddr>(item, index)) nameAddr(item, *na);
            break;
        case HeaderId::Contact:
            if (const auto* l = typed<stack::NameAddrList>(item, index)) {
                for (const auto& na : l->items)
                    nameAddr(l->items.size() == 1
                                 ? item
                                 : add(item, QStringLiteral("contact"), na.uri.raw),
                             na);
            }
            break;
        case HeaderId::CSeq:
            if (const auto* c = typed<stack::CSeq>(item, index)) {
                add(item, QStringLiteral("number"), QString::number(c->seq));
                add(item, QStringLiteral("method"), c->method);
            }
            break;
        default:
            if (const Error* e = stack::headerError(m_m, index)) {
                markSeverity(item, 1, true);
                expand(item);
                markSeverity(add(item, QStringLiteral("error"), errorText(*e)), 1, true);
            }
            break;
    }
}

void TreeBuilder::body(QStandardItem* root) {
    const std::string_view body = m_m.body();
    const std::string_view type = m_m.headerValue(HeaderId::ContentType);
    root->setText(QStringLiteral("Body"));
    valueOf(root)->setText(QStringLiteral("%1 (%2 bytes)")
                               .arg(type.empty() ? QStringLiteral("no Content-Type") : qs(type))
                               .arg(body.size()));
    const stack::BodyInfo info = stack::inspectBody(m_m);
    if (info.sdp) {
        sdp(root, *info.sdp);
        expand(root);
        return;
    }
    const MessageText text = MessageText::decode(body);
    const QStringList lines = text.text.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size() && i < 500; ++i)
        add(root, QString::number(i + 1), lines[i]);
}

void TreeBuilder::sdp(QStandardItem* parent, const stack::SdpSession& s) {
    auto* session = add(parent, QStringLiteral("Session"), s.sessionName);
    const auto& o = s.origin;
    add(session, QStringLiteral("origin"),
        QStringLiteral("%1 %2 %3 %4")
            .arg(qs(o.username), qs(o.sessId), qs(o.sessVersion), qs(o.address)),
        o.username);
    if (s.connection) add(session, QStringLiteral("connection"), s.connection->address);
    if (s.direction) add(session, QStringLiteral("direction"), stack::directionName(*s.direction));
    for (const auto& a : s.attributes)
        add(session, QStringLiteral("a=") + qs(a.name), qs(a.value), a.name);
    for (const auto& m : s.media) media(parent, s, m);
}

void TreeBuilder::media(QStandardItem* parent, const stack::SdpSession& s,
                        const stack::SdpMedia& m) {
    auto* item = add(parent, QStringLiteral("m=") + qs(m.type),
                     QStringLiteral("%1 %2").arg(m.port).arg(qs(m.proto)), m.type);
    add(item, QStringLiteral("port"),
        m.portCount > 1 ? QStringLiteral("%1/%2").arg(m.port).arg(m.portCount)
                        : QString::number(m.port));
    add(item, QStringLiteral("protocol"), m.proto);
    if (const auto* c = m.effectiveConnection(s))
        add(item, QStringLiteral("connection"), c->address);
    add(item, QStringLiteral("direction"), qs(stack::directionName(m.effectiveDirection(s))));
    auto* codecs = add(item, QStringLiteral("codecs"), QString::number(m.formats.size()));
    for (const auto fmt : m.formats) {
        QString name = qs(fmt);
        bool numeric = false;
        const int pt = name.toInt(&numeric);
        QString value;
        if (const auto* r = numeric ? m.rtpmap(pt) : nullptr) {
            value = QStringLiteral("%1/%2").arg(qs(r->encoding)).arg(r->clockRate);
            if (!r->channels.empty()) value += QLatin1Char('/') + qs(r->channels);
        } else if (const auto* st = numeric ? stack::staticPayload(pt) : nullptr) {
            value = QStringLiteral("%1/%2 (static)").arg(qs(st->encoding)).arg(st->clockRate);
        }
        if (const auto* f = numeric ? m.fmtp(pt) : nullptr)
            value += QStringLiteral("  ") + qs(f->params);
        add(codecs, name, value, fmt);
    }
    if (m.rtcpPort) add(item, QStringLiteral("rtcp port"), QString::number(*m.rtcpPort));
    expand(item);
    expand(codecs);
}

void TreeBuilder::findings(QStandardItem* root, const MessageFindings& f) {
    auto list = [&](const std::vector<Error>& errors, const QString& title, bool error) {
        if (errors.empty()) return;
        auto* node = add(root, title, QString::number(errors.size()));
        markSeverity(node, 0, error);
        for (const auto& e : errors) {
            auto* item = add(node, QStringLiteral("offset %1").arg(e.offset), errorText(e));
            setBytes(item, qlonglong(e.offset), qlonglong(e.offset + 1));
            markSeverity(item, 1, error);
        }
        expand(node);
    };
    list(f.errors, QStringLiteral("Errors"), true);
    list(f.issues, QStringLiteral("Issues"), false);
}

}  // namespace

void recolorTree(QStandardItem* parent, const SipColors& colors) {
    for (int row = 0; row < parent->rowCount(); ++row) {
        for (int column = 0; column < 2; ++column) {
            QStandardItem* cell = parent->child(row, column);
            const int severity = cell ? cell->data(kSeverityRole).toInt() : 0;
            if (severity != 0) cell->setForeground(severity == 1 ? colors.error : colors.issue);
        }
        if (QStandardItem* field = parent->child(row, 0)) recolorTree(field, colors);
    }
}

void expandMarked(QTreeView* view, QStandardItem* parent) {
    for (int row = 0; row < parent->rowCount(); ++row) {
        QStandardItem* field = parent->child(row, 0);
        if (field->data(kExpandRole).toBool()) view->setExpanded(field->index(), true);
        expandMarked(view, field);
    }
}

void fillMessageTree(QStandardItemModel& model, const SipMessage& m, const MessageFindings& f) {
    QStandardItem* root = model.invisibleRootItem();
    TreeBuilder b(m);
    auto* start = b.add(root, QString(), QString());
    b.startLine(start);
    auto* headers = b.add(root, MessageView::tr("Headers"), QString::number(m.headers().size()));
    for (std::size_t i = 0; i < m.headers().size(); ++i) b.header(headers, i);
    if (!m.body().empty()) b.body(b.add(root, QString(), QString()));
    b.findings(root, f);
    expand(start);
    expand(headers);
}

void fillParseErrorTree(QStandardItemModel& model, const Error& e) {
    auto* node = new QStandardItem(MessageView::tr("Errors"));
    model.invisibleRootItem()->appendRow({node, new QStandardItem(QStringLiteral("1"))});
    auto* item = new QStandardItem(MessageView::tr("offset %1").arg(e.offset));
    node->appendRow({item, new QStandardItem(errorText(e))});
    markSeverity(node, 0, true);
    markSeverity(item, 1, true);
    expand(node);
}

}  // namespace sipscope::gui
