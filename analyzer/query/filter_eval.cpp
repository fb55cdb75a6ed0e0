// Evaluation of a parsed filter on a FilterSubject, its canonical text, and the `start` interval
// a store can use to narrow an indexed query.

#include <algorithm>
#include <cmath>
#include <limits>

#include "query/filter_ast.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::analyzer {

namespace filter_detail {
namespace {

// One non-null element of a field value.
struct Scalar {
    bool isNumber = false;
    double number = 0;
    std::string_view text;
};

bool ignoresCase(FilterValueType t) {
    return t == FilterValueType::Keyword || t == FilterValueType::KeywordList;
}

// -1, 0, 1; nullopt when the two cannot be ordered (NaN).
std::optional<int> order(const Scalar& v, const Literal& lit, bool icase) {
    if (lit.number) {
        const std::optional<double> x = v.isNumber ? v.number : parseNumberText(v.text);
        if (x) {
            if (std::isnan(*x)) return std::nullopt;
            return *x < *lit.number ? -1 : *x > *lit.number ? 1 : 0;
        }
    }
    std::string buf;
    const std::string_view t = v.isNumber ? std::string_view(buf = formatNumber(v.number)) : v.text;
    if (icase ? stack::syntax::iequals(t, lit.text) : t == lit.text) return 0;
    return asciiLess(t, lit.text, icase) ? -1 : 1;
}

bool search(const std::regex& re, const Scalar& v) {
    std::string buf;
    std::string_view t = v.isNumber ? std::string_view(buf = formatNumber(v.number)) : v.text;
    t = t.substr(0, std::min(t.size(), kFilterRegexSubjectLimit));
    try {
        return std::regex_search(t.begin(), t.end(), re);
    } catch (const std::exception&) {  // regex_error (complexity), bad_alloc
        return false;
    }
}

// The positive form of the comparison (==, ~, in for !=, !~, not in) on one element.
bool positive(const Comparison& c, const Scalar& v) {
    const bool icase = ignoresCase(c.type);
    const auto is = [&](const Literal& lit, auto pred) {
        if (lit.null) return false;
        const auto o = order(v, lit, icase);
        return o && pred(*o);
    };
    const Literal& lit = c.values.front();
    switch (c.op) {
        case CmpOp::Eq:
        case CmpOp::Ne:
            return is(lit, [](int o) { return o == 0; });
        case CmpOp::Lt:
            return is(lit, [](int o) { return o < 0; });
        case CmpOp::Le:
            return is(lit, [](int o) { return o <= 0; });
        case CmpOp::Gt:
            return is(lit, [](int o) { return o > 0; });
        case CmpOp::Ge:
            return is(lit, [](int o) { return o >= 0; });
        case CmpOp::Match:
        case CmpOp::NotMatch:
            return c.regex && search(*c.regex, v);
        case CmpOp::In:
        case CmpOp::NotIn:
            return std::any_of(c.values.begin(), c.values.end(), [&](const Literal& l) {
                return is(l, [](int o) { return o == 0; });
            });
        case CmpOp::Between:
            return is(lit, [](int o) { return o >= 0; }) &&
                   is(c.values.back(), [](int o) { return o <= 0; });
    }
    return false;
}

bool evaluate(const Comparison& c, const FilterValue& value) {
    const auto* list = std::get_if<std::vector<std::string>>(&value);
    const bool absent = std::holds_alternative<std::monostate>(value);
    const bool nullish = absent || (list && list->empty());
    if ((c.op == CmpOp::Eq || c.op == CmpOp::Ne) && c.values.front().null)
        return (c.op == CmpOp::Eq) == nullish;
    const bool setHasNull =
        std::any_of(c.values.begin(), c.values.end(), [](const Literal& l) { return l.null; });
    if ((c.op == CmpOp::In || c.op == CmpOp::NotIn) && nullish && setHasNull)
        return c.op == CmpOp::In;
    if (absent) return false;  // an absent value satisfies nothing but `== null`, `in [null]`
    bool any = false;
    if (const auto* d = std::get_if<double>(&value)) {
        any = positive(c, Scalar{true, *d, {}});
    } else if (const auto* s = std::get_if<std::string>(&value)) {
        any = positive(c, Scalar{false, 0, *s});
    } else if (list) {
        any = std::any_of(list->begin(), list->end(), [&](const std::string& e) {
            return positive(c, Scalar{false, 0, e});
        });
    }
    const bool negative = c.op == CmpOp::Ne || c.op == CmpOp::NotMatch || c.op == CmpOp::NotIn;
    return negative ? !any : any;
}

bool evalNode(const Node& n, const FilterSubject& s) {
    switch (n.kind) {
        case Node::Kind::And:
            return std::all_of(n.children.begin(), n.children.end(),
                               [&](const Node& c) { return evalNode(c, s); });
        case Node::Kind::Or:
            return std::any_of(n.children.begin(), n.children.end(),
                               [&](const Node& c) { return evalNode(c, s); });
        case Node::Kind::Not:
            return !evalNode(n.children.front(), s);
        case Node::Kind::Compare:
            return evaluate(n.cmp, n.cmp.field == FilterField::Header ? s.header(n.cmp.headerName)
                                                                      : s.field(n.cmp.field));
    }
    return false;
}

std::string valueText(const Comparison& c, const Literal& v) {
    if (v.null) return "null";
    if (c.op == CmpOp::Match || c.op == CmpOp::NotMatch || !v.number) return quoteString(v.text);
    return c.type == FilterValueType::Time ? formatTime(*v.number) : formatNumber(*v.number);
}

void printComparison(const Comparison& c, std::string& out) {
    if (c.field == FilterField::Header)
        out += "header(" + quoteString(c.headerName) + ")";
    else
        out += filterFieldInfo(c.field).name;
    out += ' ';
    out += cmpOpText(c.op);
    out += ' ';
    if (c.op == CmpOp::In || c.op == CmpOp::NotIn) {
        out += '[';
        for (std::size_t i = 0; i < c.values.size(); ++i)
            out += (i ? ", " : "") + valueText(c, c.values[i]);
        out += ']';
    } else if (c.op == CmpOp::Between) {
        out += valueText(c, c.values.front()) + " and " + valueText(c, c.values.back());
    } else {
        out += valueText(c, c.values.front());
    }
}

void print(const Node& n, std::string& out) {
    const auto child = [&out](const Node& c, bool parens) {
        if (parens) out += '(';
        print(c, out);
        if (parens) out += ')';
    };
    switch (n.kind) {
        case Node::Kind::Compare:
            printComparison(n.cmp, out);
            return;
        case Node::Kind::Not:
            out += "not ";
            child(n.children.front(), n.children.front().kind == Node::Kind::And ||
                                          n.children.front().kind == Node::Kind::Or);
            return;
        case Node::Kind::And:
        case Node::Kind::Or:
            for (std::size_t i = 0; i < n.children.size(); ++i) {
                if (i) out += n.kind == Node::Kind::And ? " and " : " or ";
                // not > and > or: only an `or` inside an `and` needs parentheses.
                child(n.children[i], n.children[i].kind != Node::Kind::Compare &&
                                         n.children[i].kind != Node::Kind::Not &&
                                         n.children[i].kind != Node::Kind::And);
            }
            return;
    }
}

// Narrows [lo, hi] by one comparison on `start`; false when it says nothing about the range.
bool narrowStart(const Comparison& c, double& lo, double& hi) {
    if (c.field != FilterField::Start) return false;
    std::vector<double> v;
    for (const auto& l : c.values) {
        if (!l.number) return false;  // null, or a regex pattern
        v.push_back(*l.number);
    }
    switch (c.op) {
        case CmpOp::Eq:
        case CmpOp::In:
            lo = std::max(lo, *std::min_element(v.begin(), v.end()));
            hi = std::min(hi, *std::max_element(v.begin(), v.end()));
            return true;
        case CmpOp::Gt:
        case CmpOp::Ge:
            lo = std::max(lo, v.front());
            return true;
        case CmpOp::Lt:
        case CmpOp::Le:
            hi = std::min(hi, v.front());
            return true;
        case CmpOp::Between:
            lo = std::max(lo, v.front());
            hi = std::min(hi, v.back());
            return true;
        default:
            return false;
    }
}

}  // namespace

bool evaluateComparison(const Comparison& c, const FilterValue& value) noexcept {
    try {
        return evaluate(c, value);
    } catch (...) {  // an allocation failing
        return false;
    }
}

}  // namespace filter_detail

bool Filter::matches(const FilterSubject& subject) const noexcept {
    if (!m_root) return true;
    try {
        return filter_detail::evalNode(*m_root, subject);
    } catch (...) {  // an allocation failing inside the subject
        return false;
    }
}

std::string Filter::normalized() const {
    std::string out;
    if (m_root) filter_detail::print(*m_root, out);
    return out;
}

std::optional<std::pair<double, double>> Filter::startRange() const {
    if (!m_root) return std::nullopt;
    double lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
    bool found = false;
    const auto visit = [&](const filter_detail::Node& n) {
        if (n.kind == filter_detail::Node::Kind::Compare)
            found = filter_detail::narrowStart(n.cmp, lo, hi) || found;
    };
    if (m_root->kind == filter_detail::Node::Kind::And)
        std::for_each(m_root->children.begin(), m_root->children.end(), visit);
    else
        visit(*m_root);
    if (!found) return std::nullopt;
    return std::make_pair(lo, hi);
}

}  // namespace sipscope::analyzer
