#pragma once
// Aligned plain-text tables for the CLI's human output (`calls`, `transactions`, `stats`
// without --json).

#include <ostream>
#include <string>
#include <vector>

namespace sipscope::cli {

class TextTable {
  public:
    // A column name ending in '>' is right-aligned (numbers); the '>' is not printed.
    explicit TextTable(std::vector<std::string> columns);
    void add(std::vector<std::string> row);
    void print(std::ostream& out) const;
    bool empty() const noexcept { return m_rows.empty(); }

  private:
    std::vector<std::string> m_columns;
    std::vector<bool> m_right;
    std::vector<std::vector<std::string>> m_rows;
};

// "12:34:56.789" (UTC) for a Unix time in nanoseconds.
std::string clockTime(std::int64_t ns);
// "1.234" with `decimals` digits; "-" when absent.
std::string fixed(const double* value, int decimals);

}  // namespace sipscope::cli
