#include "message_view.hpp"

#include <QCheckBox>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHelpEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStandardItemModel>
#include <QToolTip>
#include <QTreeView>
#include <QVBoxLayout>
#include <algorithm>

#include "message/body.hpp"
#include "message_tree.hpp"

namespace sipscope::gui {

using stack::SipMessage;

MessageView::MessageView(QWidget* parent) : QWidget(parent) {
    m_caption = new QLabel(this);
    QFont bold = m_caption->font();
    bold.setBold(true);
    m_caption->setFont(bold);
    m_caption->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long caption must not widen the pane: it is cut, and whole in its tooltip.
    m_caption->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_summary = new QLabel(this);
    m_summary->setForegroundRole(QPalette::PlaceholderText);
    m_wrap = new QCheckBox(tr("Wrap lines"), this);
    connect(m_wrap, &QCheckBox::toggled, this, &MessageView::setLineWrap);

    m_raw = new QPlainTextEdit(this);
    m_raw->setReadOnly(true);
    m_raw->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_raw->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_raw->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_raw->viewport()->installEventFilter(this);
    m_raw->installEventFilter(this);
    m_highlighter = new SipHighlighter(m_raw->document());
    m_highlighter->setBackground(m_raw->palette().color(QPalette::Base));

    m_model = new QStandardItemModel(0, 2, this);
    m_model->setHorizontalHeaderLabels({tr("Field"), tr("Value")});
    m_tree = new QTreeView(this);
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_tree->header()->resizeSection(0, 200);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { selectBytesOf(current); });

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->addWidget(m_raw);
    m_splitter->addWidget(m_tree);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 1);

    auto* top = new QHBoxLayout;
    top->addWidget(m_caption, 1);
    top->addWidget(m_summary);
    top->addWidget(m_wrap);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_splitter, 1);
    clear();
}

void MessageView::clear() {
    m_text = MessageText::decode({});
    m_caption->setText(tr("No message selected"));
    m_summary->clear();
    m_highlighter->setPlan({});
    m_raw->clear();
    resetTree();
}

void MessageView::showMessage(const QByteArray& raw, const QString& caption) {
    const std::string_view bytes(raw.constData(), static_cast<std::size_t>(raw.size()));
    m_text = MessageText::decode(bytes);
    m_caption->setText(caption);
    m_caption->setToolTip(caption);
    resetTree();

    HighlightPlan plan;
    auto parsed = SipMessage::parse(bytes);
    MessageFindings findings;
    if (parsed.ok()) {
        const SipMessage& m = parsed.value();
        findings = findingsOf(m);
        plan.sip = true;
        plan.request = m.isRequest();
        plan.status = m.status().value_or(0);
        plan.sdpBody = stack::inspectBody(m).sdp.has_value();
        fillMessageTree(*m_model, m, findings);
        m_summary->setText(tr("%1 bytes · %2 headers").arg(raw.size()).arg(m.headers().size()));
    } else {
        findings.errors.push_back(parsed.error());
        fillParseErrorTree(*m_model, parsed.error());
        m_summary->setText(tr("%1 bytes · not SIP").arg(raw.size()));
    }
    for (const auto& e : findings.errors) plan.marks.push_back(markOf(m_text, e, true));
    for (const auto& e : findings.issues) plan.marks.push_back(markOf(m_text, e, false));
    if (const auto n = findings.errors.size(); n > 0)
        m_summary->setText(m_summary->text() +
                           (n == 1 ? tr(" · 1 error") : tr(" · %1 errors").arg(n)));
    recolorTree(m_model->invisibleRootItem(), m_highlighter->colors());
    expandMarked(m_tree, m_model->invisibleRootItem());
    // The plan first: setPlainText highlights each block once, with the new plan.
    m_highlighter->setPlan(std::move(plan));
    m_raw->setPlainText(m_text.text);
}

void MessageView::setLineWrap(bool wrap) {
    m_raw->setLineWrapMode(wrap ? QPlainTextEdit::WidgetWidth : QPlainTextEdit::NoWrap);
    if (m_wrap->isChecked() != wrap) m_wrap->setChecked(wrap);
}

bool MessageView::lineWrap() const {
    return m_raw->lineWrapMode() != QPlainTextEdit::NoWrap;
}

int MessageView::characterPosition(qsizetype byteOffset) const {
    return m_text.positionOf(static_cast<std::size_t>(std::max<qsizetype>(byteOffset, 0)));
}

void MessageView::selectBytesOf(const QModelIndex& index) {
    const QModelIndex field = index.siblingAtColumn(0);
    if (!field.data(kByteStartRole).isValid()) return;
    QTextCursor c(m_raw->document());
    c.setPosition(characterPosition(field.data(kByteStartRole).toLongLong()));
    c.setPosition(characterPosition(field.data(kByteEndRole).toLongLong()),
                  QTextCursor::KeepAnchor);
    m_raw->setTextCursor(c);
    m_raw->ensureCursorVisible();
}

void MessageView::resetTree() {
    m_model->removeRows(0, m_model->rowCount());  // keeps the columns and their widths
}

bool MessageView::eventFilter(QObject* watched, QEvent* event) {
    // The raw view learns about a new palette after this widget does: follow the raw view.
    if (watched == m_raw && event->type() == QEvent::PaletteChange) {
        m_highlighter->setBackground(m_raw->palette().color(QPalette::Base));
        recolorTree(m_model->invisibleRootItem(), m_highlighter->colors());
        return false;
    }
    if (watched == m_raw->viewport() && event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QTextCursor c = m_raw->cursorForPosition(help->pos());
        // The cursor sits between characters: the one under the pointer is either side.
        auto marks = m_highlighter->marksAt(c.position());
        if (marks.empty() && !c.atBlockStart()) marks = m_highlighter->marksAt(c.position() - 1);
        QStringList lines;
        for (const TextMark* m : marks) lines << m->text;
        if (lines.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), lines.join(QLatin1Char('\n')), m_raw);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

}  // namespace sipscope::gui

#include "moc_message_view.cpp"
