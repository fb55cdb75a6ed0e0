#pragma once
// A CallRecord as a FilterSubject: the values the `calls` JSON shows, under the same names.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "calls/call_record.hpp"
#include "query/filter.hpp"

namespace sipscope::analyzer {

// Every value of the named header in the call's initial request (the name as written in the
// filter: the lookup decides on case and compact forms). An empty function: no header known.
using HeaderLookup = std::function<std::vector<std::string>(std::string_view name)>;

class CallRecordSubject final : public FilterSubject {
  public:
    explicit CallRecordSubject(const CallRecord& record, HeaderLookup headers = {})
        : m_record(record), m_headers(std::move(headers)) {}

    FilterValue field(FilterField field) const override;
    FilterValue header(std::string_view name) const override;

  private:
    const CallRecord& m_record;
    HeaderLookup m_headers;
};

}  // namespace sipscope::analyzer
