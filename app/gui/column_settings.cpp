#include "column_settings.hpp"

#include <QHBoxLayout>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace sipscope::gui {

namespace {

constexpr int kHeaderRole = Qt::UserRole + 1;

}  // namespace

ColumnSettings::ColumnSettings(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_list = new QListWidget(this);
    m_list->setToolTip(
        tr("Checked columns are shown; to reorder them, drag their headers in "
           "the call list"));
    m_list->setMinimumHeight(150);
    layout->addWidget(m_list);
    auto* row = new QHBoxLayout;
    m_header = new QLineEdit(this);
    m_header->setPlaceholderText(tr("Header, e.g. X-CID or P-Asserted-Identity"));
    m_add = new QPushButton(tr("Add header column"), this);
    m_remove = new QPushButton(tr("Remove"), this);
    row->addWidget(m_header, 1);
    row->addWidget(m_add);
    row->addWidget(m_remove);
    layout->addLayout(row);
    connect(m_add, &QPushButton::clicked, this, [this] {
        if (addHeader(m_header->text())) m_header->clear();
    });
    connect(m_header, &QLineEdit::returnPressed, m_add, &QPushButton::click);
    connect(m_header, &QLineEdit::textChanged, this, &ColumnSettings::updateButtons);
    connect(m_remove, &QPushButton::clicked, this, [this] {
        if (auto* item = m_list->currentItem(); item && item->data(kHeaderRole).toBool())
            delete item;
        updateButtons();
    });
    connect(m_list, &QListWidget::currentItemChanged, this, &ColumnSettings::updateButtons);
    updateButtons();
}

void ColumnSettings::setColumns(const QList<ColumnSetting>& columns) {
    m_list->clear();
    for (const ColumnSetting& c : columns) {
        auto* item = new QListWidgetItem(c.header ? tr("%1 (header)").arg(c.name) : c.name);
        item->setData(Qt::UserRole, c.name);
        item->setData(kHeaderRole, c.header);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(c.visible ? Qt::Checked : Qt::Unchecked);
        m_list->addItem(item);
    }
    updateButtons();
}

QList<ColumnSetting> ColumnSettings::columns() const {
    QList<ColumnSetting> out;
    for (int i = 0; i < m_list->count(); ++i) {
        const QListWidgetItem* item = m_list->item(i);
        out.push_back({item->data(Qt::UserRole).toString(), item->checkState() == Qt::Checked,
                       item->data(kHeaderRole).toBool()});
    }
    return out;
}

bool ColumnSettings::addHeader(const QString& text) {
    const QString name = text.trimmed();
    if (name.isEmpty()) return false;
    for (const ColumnSetting& c : columns())
        if (c.header && c.name.compare(name, Qt::CaseInsensitive) == 0) return false;
    auto cols = columns();
    cols.push_back({name, true, true});
    setColumns(cols);
    m_list->setCurrentRow(m_list->count() - 1);
    return true;
}

void ColumnSettings::updateButtons() {
    m_add->setEnabled(!m_header->text().trimmed().isEmpty());
    const auto* item = m_list->currentItem();
    m_remove->setEnabled(item && item->data(kHeaderRole).toBool());
}

}  // namespace sipscope::gui
