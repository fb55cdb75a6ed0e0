#include "call_table.hpp"

#include <QHeaderView>
#include <QInputDialog>
#include <QMenu>
#include <QPaintEvent>
#include <QPainter>
#include <QSettings>

#include "call_list_model.hpp"
#include "call_row_delegate.hpp"

namespace sipscope::gui {

CallTable::CallTable(CallListModel* model, QWidget* parent) : QTableView(parent), m_model(model) {
    setModel(model);
    setItemDelegate(new CallRowDelegate(this));
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setAlternatingRowColors(true);
    setWordWrap(false);
    setSortingEnabled(true);
    setShowGrid(false);
    verticalHeader()->setVisible(false);
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    horizontalHeader()->setSectionsMovable(true);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    horizontalHeader()->setSortIndicator(CallListModel::Start, Qt::AscendingOrder);
    const int widths[] = {178, 70, 120, 120, 110, 140, 60, 50, 45, 75, 80, 160, 260, 80};
    for (int c = 0; c < CallListModel::FixedColumns; ++c) setColumnWidth(c, widths[c]);
    setColumnHidden(CallListModel::Kind, true);
    connect(horizontalHeader(), &QHeaderView::customContextMenuRequested, this,
            &CallTable::headerMenu);
    connect(selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { emit callsSelected(selectedCallRows()); });
    // A new query (filter, sort, import progress) keeps the selected calls selected when they
    // are still listed; the ladder is redrawn only when the selection really changed.
    connect(model, &QAbstractItemModel::modelAboutToBeReset, this,
            [this] { m_keep = selectedCallRows(); });
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        const auto keep = std::move(m_keep);
        m_keep.clear();
        QItemSelection selection;
        for (qint64 call : keep)
            if (int row = m_model->rowOfCall(call); row >= 0)
                selection.select(m_model->index(row, 0),
                                 m_model->index(row, m_model->columnCount() - 1));
        const QSignalBlocker block(selectionModel());
        selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
        const auto now = selectedCallRows();
        if (now != keep) emit callsSelected(now);
        viewport()->update();
    });
}

std::vector<qint64> CallTable::selectedCallRows() const {
    std::vector<qint64> rows;
    if (!selectionModel()) return rows;
    auto selected = selectionModel()->selectedRows();
    std::sort(selected.begin(), selected.end(),
              [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
    for (const auto& i : selected) rows.push_back(m_model->callRowAt(i.row()));
    return rows;
}

void CallTable::addHeaderColumn(const QString& name) {
    m_model->addHeaderColumn(name);
    setColumnWidth(m_model->columnCount() - 1, 160);
}

QList<ColumnSetting> CallTable::columnSettings() const {
    QList<ColumnSetting> out;
    const QHeaderView* h = horizontalHeader();
    for (int visual = 0; visual < h->count(); ++visual) {
        const int c = h->logicalIndex(visual);
        out.push_back({m_model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString(),
                       !isColumnHidden(c), c >= CallListModel::FixedColumns});
    }
    return out;
}

void CallTable::applyColumnSettings(const QList<ColumnSetting>& columns) {
    QStringList wanted;
    for (const ColumnSetting& c : columns)
        if (c.header) wanted << c.name;
    for (const QString& name : m_model->headerColumns())
        if (!wanted.contains(name)) m_model->removeHeaderColumn(name);
    for (const QString& name : wanted)
        if (!m_model->headerColumns().contains(name)) addHeaderColumn(name);
    for (const ColumnSetting& c : columns) {
        for (int i = 0; i < m_model->columnCount(); ++i) {
            if (m_model->headerData(i, Qt::Horizontal, Qt::DisplayRole).toString() != c.name ||
                (i >= CallListModel::FixedColumns) != c.header)
                continue;
            setColumnHidden(i, !c.visible);
        }
    }
}

void CallTable::headerMenu(const QPoint& pos) {
    QMenu menu(this);
    const int clicked = horizontalHeader()->logicalIndexAt(pos);
    for (int c = 0; c < m_model->columnCount(); ++c) {
        QAction* a =
            menu.addAction(m_model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
        a->setCheckable(true);
        a->setChecked(!isColumnHidden(c));
        connect(a, &QAction::toggled, this, [this, c](bool on) { setColumnHidden(c, !on); });
    }
    menu.addSeparator();
    menu.addAction(tr("Add header column…"), this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(
            this, tr("Add header column"),
            tr("Header of the call's initial request (e.g. X-CID, P-Asserted-Identity):"),
            QLineEdit::Normal, QString(), &ok);
        if (ok && !name.trimmed().isEmpty()) addHeaderColumn(name.trimmed());
    });
    if (clicked >= CallListModel::FixedColumns) {
        const QString name = m_model->headerColumns().value(clicked - CallListModel::FixedColumns);
        menu.addAction(tr("Remove column %1").arg(name), this,
                       [this, name] { m_model->removeHeaderColumn(name); });
    }
    menu.exec(horizontalHeader()->mapToGlobal(pos));
}

// QTableView's painting for this table (no grid, editors or drops; it never sets spans), without
// the style's row panel under every cell: the delegate paints the background itself, and the panel
// (Fusion works out its outline colours on each call) was a tenth of a repaint over ~400 cells.
void CallTable::paintEvent(QPaintEvent* event) {
    if (showGrid() || dragDropMode() != QAbstractItemView::NoDragDrop || !m_model ||
        m_model->rowCount() == 0) {
        QTableView::paintEvent(event);
        return;
    }
    QStyleOptionViewItem base;
    initViewItemOption(&base);
    const QStyle::State state = base.state & ~QStyle::State_HasFocus;
    const QRect area = event->rect();
    const QHeaderView* rows = verticalHeader();
    const QHeaderView* columns = horizontalHeader();
    const int firstRow = rows->visualIndexAt(area.top());
    int lastRow = rows->visualIndexAt(area.bottom());
    if (firstRow < 0) return;
    if (lastRow < 0) lastRow = rows->count() - 1;
    const QModelIndex current = currentIndex();
    const bool focus = (hasFocus() || viewport()->hasFocus()) && current.isValid();
    const QItemSelectionModel* selection = selectionModel();
    QPainter painter(viewport());
    for (int v = firstRow; v <= lastRow; ++v) {
        const int row = rows->logicalIndex(v);
        if (rows->isSectionHidden(row)) continue;
        const int y = rowViewportPosition(row), height = rowHeight(row);
        for (int c = 0; c < columns->count(); ++c) {
            const int column = columns->logicalIndex(c);
            if (columns->isSectionHidden(column)) continue;
            const QRect rect(columnViewportPosition(column), y, columnWidth(column), height);
            if (!rect.intersects(area)) continue;
            const QModelIndex index = m_model->index(row, column);
            QStyleOptionViewItem option = base;
            option.rect = rect;
            option.state = state;
            if (alternatingRowColors() && (v & 1))
                option.features |= QStyleOptionViewItem::Alternate;
            if (selection && selection->isSelected(index)) option.state |= QStyle::State_Selected;
            if (focus && index == current) option.state |= QStyle::State_HasFocus;
            itemDelegateForIndex(index)->paint(&painter, option, index);
        }
    }
}

void CallTable::saveLayout() const {
    QSettings s;
    s.setValue(QStringLiteral("callTable/headers"), m_model->headerColumns());
    s.setValue(QStringLiteral("callTable/state"), horizontalHeader()->saveState());
}

void CallTable::restoreLayout() {
    QSettings s;
    for (const auto& h : s.value(QStringLiteral("callTable/headers")).toStringList())
        m_model->addHeaderColumn(h);
    const QByteArray state = s.value(QStringLiteral("callTable/state")).toByteArray();
    if (!state.isEmpty()) horizontalHeader()->restoreState(state);
}

}  // namespace sipscope::gui
