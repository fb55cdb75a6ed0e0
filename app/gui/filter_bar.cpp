#include "filter_bar.hpp"

#include <QAbstractItemView>
#include <QCompleter>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QStringListModel>
#include <QStyle>
#include <QStyleOptionFrame>
#include <QTimer>
#include <QToolButton>

#include "store/call_query.hpp"

namespace sipscope::gui {

namespace {

QString qs(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QStringList vocabulary() {
    QStringList words;
    for (const auto& f : analyzer::filterFields()) {
        words << (f.field == analyzer::FilterField::Header ? QStringLiteral("header(\"")
                                                           : qs(f.name));
        for (auto v : f.values) words << qs(v);
    }
    for (auto op : analyzer::filterOperators())
        if (!op.empty() && std::isalpha(static_cast<unsigned char>(op[0]))) words << qs(op);
    for (auto k : analyzer::filterKeywords()) words << qs(k);
    words.removeDuplicates();
    words.sort(Qt::CaseInsensitive);
    return words;
}

bool wordChar(QChar c) {
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('(') ||
           c == QLatin1Char('"');
}

}  // namespace

FilterEdit::FilterEdit(QWidget* parent) : QLineEdit(parent) {
    m_words = new QStringListModel(vocabulary(), this);
    m_completer = new QCompleter(m_words, this);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setWidget(this);
    connect(m_completer, qOverload<const QString&>(&QCompleter::activated), this,
            &FilterEdit::insertCompletion);
    connect(this, &QLineEdit::textEdited, this, &FilterEdit::updateCompletion);
}

QString FilterEdit::currentWord(int* start) const {
    const QString t = text();
    int end = cursorPosition();
    int begin = end;
    while (begin > 0 && wordChar(t[begin - 1]) && t[begin - 1] != QLatin1Char('"')) --begin;
    if (start) *start = begin;
    return t.mid(begin, end - begin);
}

void FilterEdit::updateCompletion() {
    const QString word = currentWord();
    if (word.isEmpty()) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->setCompletionPrefix(word);
    if (m_completer->completionCount() == 0 ||
        (m_completer->completionCount() == 1 &&
         m_completer->currentCompletion().compare(word, Qt::CaseInsensitive) == 0)) {
        m_completer->popup()->hide();
        return;
    }
    QRect r = cursorRect();
    r.setWidth(m_completer->popup()->sizeHintForColumn(0) + 24);
    m_completer->complete(r);
}

void FilterEdit::insertCompletion(const QString& word) {
    int start = 0;
    currentWord(&start);
    QString t = text();
    t.replace(start, cursorPosition() - start, word);
    setText(t);
    setCursorPosition(start + static_cast<int>(word.size()));
}

void FilterEdit::keyPressEvent(QKeyEvent* event) {
    if (m_completer->popup()->isVisible()) {
        switch (event->key()) {
            case Qt::Key_Enter:
            case Qt::Key_Return:
            case Qt::Key_Tab:
            case Qt::Key_Escape:
                event->ignore();
                return;  // the completer handles them
            default:
                break;
        }
    }
    QLineEdit::keyPressEvent(event);
}

void FilterEdit::setErrorColumn(int column) {
    m_errorColumn = column;
    update();
}

void FilterEdit::paintEvent(QPaintEvent* event) {
    QLineEdit::paintEvent(event);
    if (m_errorColumn < 0) return;
    // Where the error column is drawn: the cursor rectangle of that position, found by moving
    // a copy of the text layout's cursor (the widget scrolls long text itself).
    const int saved = cursorPosition();
    const bool blocked = blockSignals(true);
    setCursorPosition(std::min<int>(m_errorColumn, static_cast<int>(text().size())));
    const QRect at = cursorRect();
    setCursorPosition(saved);
    blockSignals(blocked);
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(QColor(0xd3, 0x2f, 0x2f), 1.4));
    const double y = at.bottom() - 1;
    const double x0 = at.center().x();
    const double x1 = std::max(x0 + 12.0, std::min<double>(width() - 4, x0 + 40));
    QPainterPath wave;
    wave.moveTo(x0, y);
    for (double x = x0; x < x1; x += 4)
        wave.quadTo(x + 1, y + (int(x - x0) % 8 ? 2.5 : -2.5), x + 4, y);
    p.drawPath(wave);
}

FilterBar::FilterBar(QWidget* parent) : QWidget(parent) {
    auto* h = new QHBoxLayout(this);
    h->setContentsMargins(0, 0, 0, 0);
    auto* label = new QLabel(tr("Filter:"), this);
    h->addWidget(label);
    m_edit = new FilterEdit(this);
    m_edit->setPlaceholderText(
        tr("e.g.  state == \"failed\" and from_user ~ \"^49\"   ·   final_code >= 500   ·   "
           "header(\"User-Agent\") ~ \"Asterisk\""));
    m_edit->setClearButtonEnabled(true);
    label->setBuddy(m_edit);
    h->addWidget(m_edit, 1);
    m_error = new QLabel(this);
    m_error->setStyleSheet(QStringLiteral("color: #d32f2f"));
    m_error->setTextFormat(Qt::PlainText);
    h->addWidget(m_error);
    m_register = new QToolButton(this);
    m_register->setText(tr("Hide REGISTER"));
    m_options = new QToolButton(this);
    m_options->setText(tr("Hide OPTIONS"));
    for (auto* b : {m_register, m_options}) {
        b->setCheckable(true);
        b->setToolTip(tr("One click to hide this noise from the call list"));
        connect(b, &QToolButton::toggled, this, [this] { emit hiddenKindsChanged(hiddenKinds()); });
        h->addWidget(b);
    }
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_debounce, &QTimer::timeout, this, &FilterBar::apply);
    connect(m_edit, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_edit, &QLineEdit::returnPressed, this, &FilterBar::apply);
}

QString FilterBar::text() const {
    return m_edit->text();
}

void FilterBar::setText(const QString& text) {
    m_edit->setText(text);
    apply();
}

QStringList FilterBar::hiddenKinds() const {
    QStringList kinds;
    if (m_register->isChecked()) kinds << QStringLiteral("register");
    if (m_options->isChecked()) kinds << QStringLiteral("options");
    return kinds;
}

void FilterBar::setHiddenKinds(const QStringList& kinds) {
    m_register->setChecked(kinds.contains(QStringLiteral("register")));
    m_options->setChecked(kinds.contains(QStringLiteral("options")));
}

QString FilterBar::errorText() const {
    return m_error->text();
}

void FilterBar::apply() {
    m_debounce->stop();
    const QString text = m_edit->text();
    const QByteArray utf8 = text.toUtf8();
    auto parsed = analyzer::parseFilter(std::string_view(utf8.constData(), utf8.size()));
    if (!parsed.ok()) {
        m_valid = false;
        const auto& e = parsed.error();
        // Error offsets are UTF-8 bytes; the edit counts UTF-16 units.
        const int column = static_cast<int>(
            QString::fromUtf8(utf8.constData(),
                              static_cast<qsizetype>(std::min<std::size_t>(
                                  e.offset, static_cast<std::size_t>(utf8.size()))))
                .size());
        m_edit->setErrorColumn(column);
        m_error->setText(QString::fromStdString(e.message));
        m_edit->setToolTip(QString::fromStdString(e.message));
        return;
    }
    m_valid = true;
    m_edit->setErrorColumn(-1);
    m_error->clear();
    m_edit->setToolTip({});
    if (text == m_applied) return;
    m_applied = text;
    m_filter = std::move(parsed).value();
    emit filterChanged(m_filter, analyzer::store::filterTextUsesHeaders(utf8.toStdString()));
}

}  // namespace sipscope::gui
