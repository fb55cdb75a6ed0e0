#include "ladder_panel.hpp"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "ladder_canvas.hpp"
#include "ladder_export.hpp"

namespace sipscope::gui {

namespace {

QString qs(const std::string& s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QToolButton* toolButton(QWidget* parent, const QString& text, const QString& tip) {
    auto* b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    return b;
}

}  // namespace

LadderPanel::LadderPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* bar = new QToolBar(this);
    bar->setIconSize(QSize(16, 16));
    buildToolbar(bar);
    layout->addWidget(bar);
    m_scroll = new QScrollArea(this);
    m_canvas = new LadderCanvas;
    m_scroll->setWidget(m_canvas);
    m_scroll->setWidgetResizable(false);
    m_scroll->setBackgroundRole(QPalette::Base);
    layout->addWidget(m_scroll, 1);
    m_options.timeMode = analyzer::LadderTimeMode::Relative;
    connect(m_canvas, &LadderCanvas::rowSelected, this, &LadderPanel::onRowSelected);
    connect(m_canvas, &LadderCanvas::laneMenuRequested, this, &LadderPanel::laneMenu);
    connect(m_canvas, &LadderCanvas::zoomRequested, this,
            [this](double f) { m_canvas->setZoom(m_canvas->zoom() * f); });
    relayout();
}

void LadderPanel::buildToolbar(QToolBar* bar) {
    // A toolbar, not a row of widgets: what does not fit goes into its overflow menu, so the
    // pane stays usable when narrow.
    auto* h = bar;
    m_timeMode = new QComboBox(bar);
    m_timeMode->addItems({tr("Relative time"), tr("Absolute time (UTC)"), tr("Delta time")});
    m_timeMode->setToolTip(tr("What the time column shows"));
    connect(m_timeMode, &QComboBox::currentIndexChanged, this, [this](int i) {
        static constexpr analyzer::LadderTimeMode kModes[] = {analyzer::LadderTimeMode::Relative,
                                                              analyzer::LadderTimeMode::Absolute,
                                                              analyzer::LadderTimeMode::Delta};
        m_options.timeMode = kModes[std::clamp(i, 0, 2)];
        relayout();
    });
    h->addWidget(m_timeMode);
    auto* prop = toolButton(bar, tr("Time-proportional"),
                            tr("Space rows by time (long gaps are shortened) instead of evenly"));
    prop->setCheckable(true);
    connect(prop, &QToolButton::toggled, this, &LadderPanel::setProportional);
    h->addWidget(prop);
    m_media = toolButton(bar, tr("Media"),
                         tr("Show the call's RTP streams as bars between their endpoints' lanes, "
                            "coloured and marked by quality (✓ good, ⚠ degraded, ✖ bad)"));
    m_media->setCheckable(true);
    m_media->setChecked(true);
    connect(m_media, &QToolButton::toggled, this, &LadderPanel::setMediaVisible);
    h->addWidget(m_media);
    auto* out = toolButton(bar, QStringLiteral("−"), tr("Zoom out (Ctrl+wheel)"));
    auto* in = toolButton(bar, QStringLiteral("+"), tr("Zoom in (Ctrl+wheel)"));
    auto* one = toolButton(bar, QStringLiteral("100%"), tr("Actual size"));
    auto* fit = toolButton(bar, tr("Fit"), tr("Zoom to the pane's width"));
    connect(fit, &QToolButton::clicked, this, [this] {
        const double available = m_scroll->viewport()->width() - 4;
        if (m_canvas->geometry().width > 0)
            m_canvas->setZoom(available / m_canvas->geometry().width);
    });
    connect(out, &QToolButton::clicked, this,
            [this] { m_canvas->setZoom(m_canvas->zoom() / 1.2); });
    connect(in, &QToolButton::clicked, this, [this] { m_canvas->setZoom(m_canvas->zoom() * 1.2); });
    connect(one, &QToolButton::clicked, this, [this] { m_canvas->setZoom(1.0); });
    h->addWidget(out);
    h->addWidget(in);
    h->addWidget(one);
    h->addWidget(fit);
    m_find = new QLineEdit(bar);
    m_find->setPlaceholderText(tr("Find in ladder (Ctrl+F)"));
    m_find->setClearButtonEnabled(true);
    m_find->setMinimumWidth(150);
    m_find->setMaximumWidth(220);
    connect(m_find, &QLineEdit::returnPressed, this, [this] { find(m_find->text()); });
    auto* findShortcut = new QShortcut(QKeySequence::Find, this);
    findShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(findShortcut, &QShortcut::activated, m_find, [this] {
        m_find->setFocus();
        m_find->selectAll();
    });
    h->addWidget(m_find);
    auto* exportButton =
        toolButton(bar, tr("Export…"), tr("Save the whole ladder as PNG, SVG or PDF"));
    connect(exportButton, &QToolButton::clicked, this, &LadderPanel::exportDialog);
    h->addWidget(exportButton);
    auto* copy = toolButton(bar, tr("Copy"), tr("Copy the ladder as text or Mermaid"));
    auto* menu = new QMenu(copy);
    menu->addAction(tr("Copy as text"), this,
                    [this] { QApplication::clipboard()->setText(asText()); });
    menu->addAction(tr("Copy as Mermaid"), this,
                    [this] { QApplication::clipboard()->setText(asMermaid()); });
    copy->setMenu(menu);
    copy->setPopupMode(QToolButton::InstantPopup);
    h->addWidget(copy);
    auto* all = toolButton(bar, tr("Show all lanes"), tr("Undo hidden and merged lanes"));
    connect(all, &QToolButton::clicked, this, &LadderPanel::showAllLanes);
    h->addWidget(all);
    auto* spacer = new QWidget(bar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    h->addWidget(spacer);
    m_summary = new QLabel(bar);
    m_summary->setTextFormat(Qt::PlainText);
    h->addWidget(m_summary);
}

void LadderPanel::setInput(analyzer::LadderInput input) {
    m_input = std::move(input);
    relayout();
    fitWidth();
}

void LadderPanel::updateInput(analyzer::LadderInput input) {
    m_input = std::move(input);
    relayout();
}

void LadderPanel::fitWidth() {
    // A new ladder wider than the pane is zoomed out to fit, down to 60 %; never zoomed in.
    const double available = m_scroll->viewport()->width() - 4;
    const double width = m_canvas->geometry().width;
    double zoom = 1.0;
    if (width > 0 && available > 100 && width > available) zoom = std::max(0.6, available / width);
    m_canvas->setZoom(zoom);
}

void LadderPanel::clear() {
    setInput({});
}

void LadderPanel::relayout() {
    const int selected = m_canvas->selectedRow();
    const std::uint64_t selectedId =
        selected >= 0 && selected < static_cast<int>(m_layout.rows.size())
            ? m_layout.rows[static_cast<std::size_t>(selected)].id
            : 0;
    m_layout = analyzer::layoutLadder(m_input, m_options);
    m_canvas->setLadder(&m_layout, &m_input, m_proportional);
    if (selectedId) selectMessage(selectedId);
    m_summary->setText(m_input.messages.empty()
                           ? QString()
                           : tr("%1 messages · %2 lanes · %3")
                                     .arg(m_layout.rows.size())
                                     .arg(m_layout.lanes.size())
                                     .arg(m_layout.legs.size() == 1
                                              ? tr("1 leg")
                                              : tr("%1 legs").arg(m_layout.legs.size())) +
                                 (m_input.streams.empty() ? QString()
                                  : m_input.streams.size() == 1
                                      ? tr(" · 1 RTP stream")
                                      : tr(" · %1 RTP streams").arg(m_input.streams.size())));
}

void LadderPanel::setProportional(bool on) {
    m_proportional = on;
    relayout();
}

void LadderPanel::setMediaVisible(bool on) {
    const QSignalBlocker block(m_media);
    m_media->setChecked(on);
    m_canvas->setMediaVisible(on);
}

bool LadderPanel::mediaVisible() const {
    return m_canvas->mediaVisible();
}

bool LadderPanel::exportTo(const QString& path, QString* error) const {
    return exportLadder(path, m_layout, m_proportional, error,
                        mediaVisible() ? &m_input.streams : nullptr);
}

QString LadderPanel::asText() const {
    analyzer::LadderOptions o = m_options;
    o.textWidth = 100;
    return qs(analyzer::renderLadderText(m_layout, o));
}

QString LadderPanel::asMermaid() const {
    return qs(analyzer::renderLadderMermaid(m_layout, m_options));
}

bool LadderPanel::selectMessage(std::uint64_t id) {
    for (std::size_t i = 0; i < m_layout.rows.size(); ++i)
        if (m_layout.rows[i].id == id) {
            m_canvas->selectRow(static_cast<int>(i));
            return true;
        }
    return false;
}

void LadderPanel::selectRow(int row) {
    m_canvas->selectRow(row);
}

bool LadderPanel::find(const QString& text) {
    const auto n = static_cast<int>(m_layout.rows.size());
    bool found = false;
    for (int k = 1; k <= n && !text.isEmpty(); ++k) {
        const int i = (std::max(m_canvas->selectedRow(), -1) + k) % n;
        const auto& r = m_layout.rows[static_cast<std::size_t>(i)];
        const auto& m = m_input.messages[r.message];
        if (qs(r.label).contains(text, Qt::CaseInsensitive) ||
            qs(r.detail).contains(text, Qt::CaseInsensitive) ||
            qs(m.rawText).contains(text, Qt::CaseInsensitive)) {
            m_canvas->selectRow(i);
            found = true;
            break;
        }
    }
    QPalette pal = m_find->palette();
    pal.setColor(QPalette::Base, found || text.isEmpty() ? palette().color(QPalette::Base)
                                                         : QColor(0xff, 0xd6, 0xd6));
    pal.setColor(QPalette::Text, found || text.isEmpty() ? palette().color(QPalette::Text)
                                                         : QColor(0x30, 0x00, 0x00));
    m_find->setPalette(pal);
    return found;
}

void LadderPanel::onRowSelected(int row) {
    if (row < 0 || row >= static_cast<int>(m_layout.rows.size())) {
        emit messageSelected(-1);
        return;
    }
    const double y = m_canvas->geometry().rowY(static_cast<std::size_t>(row)) * m_canvas->zoom();
    m_scroll->ensureVisible(m_scroll->horizontalScrollBar()->value(), static_cast<int>(y), 0, 60);
    emit messageSelected(static_cast<int>(m_layout.rows[static_cast<std::size_t>(row)].message));
}

void LadderPanel::hideLane(int lane) {
    if (lane < 0 || lane >= static_cast<int>(m_layout.lanes.size())) return;
    const auto& l = m_layout.lanes[static_cast<std::size_t>(lane)];
    m_options.hiddenLanes.insert(l.name);
    for (const auto& e : l.endpoints) m_options.hiddenLanes.insert(e);
    relayout();
}

void LadderPanel::mergeLanes(int lane, int into) {
    const int n = static_cast<int>(m_layout.lanes.size());
    if (lane < 0 || into < 0 || lane >= n || into >= n || lane == into) return;
    const auto& target = m_layout.lanes[static_cast<std::size_t>(into)];
    const std::string name = target.name;
    for (const auto& e : target.endpoints) m_options.mergeLanes[e] = name;
    for (const auto& e : m_layout.lanes[static_cast<std::size_t>(lane)].endpoints)
        m_options.mergeLanes[e] = name;
    relayout();
}

void LadderPanel::showAllLanes() {
    m_options.hiddenLanes.clear();
    m_options.mergeLanes.clear();
    relayout();
}

void LadderPanel::laneMenu(int lane, const QPoint& globalPos) {
    const auto& l = m_layout.lanes[static_cast<std::size_t>(lane)];
    QMenu menu(this);
    menu.addAction(tr("Hide lane %1").arg(qs(l.name)), this, [this, lane] { hideLane(lane); });
    QMenu* merge = menu.addMenu(tr("Merge %1 into").arg(qs(l.name)));
    for (std::size_t i = 0; i < m_layout.lanes.size(); ++i)
        if (static_cast<int>(i) != lane)
            merge->addAction(qs(m_layout.lanes[i].name), this,
                             [this, lane, i] { mergeLanes(lane, static_cast<int>(i)); });
    merge->setEnabled(m_layout.lanes.size() > 1);
    menu.addSeparator();
    menu.addAction(tr("Show all lanes"), this, &LadderPanel::showAllLanes);
    menu.exec(globalPos);
}

void LadderPanel::exportDialog() {
    if (m_layout.rows.empty()) return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export ladder"), QStringLiteral("ladder.png"),
        tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"));
    if (path.isEmpty()) return;
    QString error;
    if (!exportTo(path, &error)) QMessageBox::warning(this, tr("Export ladder"), error);
}

}  // namespace sipscope::gui
