#pragma once
// The call list's filter bar: the CLI's filter language (query/filter.hpp) with completion of
// fields, operators, keywords and known values, a red wavy marker under the column a syntax
// error names (and the message beside it), and one-click toggles that hide REGISTER and
// OPTIONS noise.

#include <QLineEdit>
#include <QWidget>

#include "query/filter.hpp"

class QCompleter;
class QLabel;
class QStringListModel;
class QTimer;
class QToolButton;

namespace sipscope::gui {

class FilterEdit : public QLineEdit {
    Q_OBJECT
  public:
    explicit FilterEdit(QWidget* parent = nullptr);
    void setErrorColumn(int column);  // -1: no error
    int errorColumn() const { return m_errorColumn; }
    QCompleter* completer() const { return m_completer; }
    // The word being typed at the cursor and where it starts (for completion).
    QString currentWord(int* start = nullptr) const;

  protected:
    void paintEvent(QPaintEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

  private:
    void updateCompletion();
    void insertCompletion(const QString& word);

    QCompleter* m_completer = nullptr;
    QStringListModel* m_words = nullptr;
    int m_errorColumn = -1;
};

class FilterBar : public QWidget {
    Q_OBJECT
  public:
    explicit FilterBar(QWidget* parent = nullptr);

    QString text() const;
    void setText(const QString& text);  // applies at once
    QStringList hiddenKinds() const;    // "register", "options" when toggled
    void setHiddenKinds(const QStringList& kinds);
    const analyzer::Filter& filter() const { return m_filter; }
    bool valid() const { return m_valid; }
    QString errorText() const;
    FilterEdit* edit() const { return m_edit; }
    void apply();  // parse now (the bar also applies 300 ms after typing stops, and on Enter)

  signals:
    void filterChanged(const analyzer::Filter& filter, bool usesHeaders);
    void hiddenKindsChanged(const QStringList& kinds);

  private:
    FilterEdit* m_edit = nullptr;
    QLabel* m_error = nullptr;
    QToolButton* m_register = nullptr;
    QToolButton* m_options = nullptr;
    QTimer* m_debounce = nullptr;
    analyzer::Filter m_filter;
    QString m_applied;
    bool m_valid = true;
};

}  // namespace sipscope::gui
