// Recursive-descent parser of the filter language (grammar in filter.hpp). Every error names the
// byte column where parsing failed; nesting is bounded so no input can exhaust the stack.

#include <algorithm>
#include <new>

#include "query/filter_ast.hpp"
#include "query/filter_lexer.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::analyzer {

namespace filter_detail {
namespace {

using stack::ErrorCode;
using stack::syntax::iequals;

bool isNumeric(FilterValueType t) {
    return t == FilterValueType::Number || t == FilterValueType::Time;
}

class Parser {
  public:
    Parser(std::string_view text, std::vector<Token> tokens)
        : m_text(text), m_tokens(std::move(tokens)) {}

    bool parse(Node& root) {
        if (!parseOr(root)) return false;
        const Token& t = peek();
        if (t.kind == TokKind::End) return true;
        if (t.kind == TokKind::RParen)
            return fail(kFilterSyntaxError, t.offset, "unexpected ')'", "(no '(' to close)");
        return fail(kFilterSyntaxError, t.offset, "unexpected " + describe(t),
                    "(expected 'and', 'or' or the end)");
    }

    stack::Error takeError() { return std::move(m_error); }

  private:
    const Token& peek(std::size_t ahead = 0) const {
        return m_tokens[std::min(m_pos + ahead, m_tokens.size() - 1)];
    }
    const Token& next() {
        const Token& t = peek();
        if (m_pos + 1 < m_tokens.size()) ++m_pos;
        return t;
    }
    static bool isWord(const Token& t, std::string_view keyword) {
        return t.kind == TokKind::Word && iequals(t.text, keyword);
    }
    static bool isReserved(const Token& t) {
        return isWord(t, "and") || isWord(t, "or") || isWord(t, "not");
    }
    std::string describe(const Token& t) const {
        if (t.kind == TokKind::End) return "end of the filter";
        std::string s(m_text.substr(t.offset, std::min<std::size_t>(t.length, 24)));
        return "'" + s + (t.length > 24 ? "...'" : "'");
    }
    bool fail(ErrorCode code, std::size_t offset, std::string what, std::string_view hint = {}) {
        m_error = filterError(code, offset, std::move(what), hint);
        return false;
    }
    bool deeper(const Token& t) {
        if (++m_depth <= kFilterMaxDepth) return true;
        return fail(ErrorCode::TooLarge, t.offset,
                    "expression nested more than " + std::to_string(kFilterMaxDepth) + " deep");
    }

    static void append(Node& parent, Node&& child) {
        if (child.kind != parent.kind) {
            parent.children.push_back(std::move(child));
            return;
        }
        for (auto& c : child.children) parent.children.push_back(std::move(c));
    }

    // A chain of `sub` joined by `and` (or by `or`) becomes one n-ary node, so that
    // neither evaluation nor destruction recurses along a long chain.
    template <class Sub, class IsJoin>
    bool chain(Node& out, Node::Kind kind, Sub sub, IsJoin isJoin) {
        Node first;
        if (!(this->*sub)(first)) return false;
        if (!isJoin(peek())) {
            out = std::move(first);
            return true;
        }
        Node n;
        n.kind = kind;
        append(n, std::move(first));
        while (isJoin(peek())) {
            next();
            Node rhs;
            if (!(this->*sub)(rhs)) return false;
            append(n, std::move(rhs));
        }
        out = std::move(n);
        return true;
    }

    bool parseOr(Node& out) {
        return chain(out, Node::Kind::Or, &Parser::parseAnd,
                     [](const Token& t) { return t.kind == TokKind::OrOp || isWord(t, "or"); });
    }
    bool parseAnd(Node& out) {
        return chain(out, Node::Kind::And, &Parser::parseUnary,
                     [](const Token& t) { return t.kind == TokKind::AndOp || isWord(t, "and"); });
    }

    bool parseUnary(Node& out) {
        const Token& t = peek();
        if (t.kind != TokKind::NotOp && !isWord(t, "not")) return parsePrimary(out);
        next();
        if (!deeper(t)) return false;
        Node child;
        if (!parseUnary(child)) return false;
        --m_depth;
        out.kind = Node::Kind::Not;
        out.children.push_back(std::move(child));
        return true;
    }

    bool parsePrimary(Node& out) {
        const Token& open = peek();
        if (open.kind != TokKind::LParen) return parseComparison(out.cmp);
        next();
        if (!deeper(open)) return false;
        if (!parseOr(out)) return false;
        --m_depth;
        const Token& close = peek();
        if (close.kind == TokKind::RParen) return next(), true;
        return fail(kFilterSyntaxError, close.offset, "expected ')', found " + describe(close),
                    "(to close the '(' at column " + std::to_string(open.offset) + ")");
    }

    bool parseComparison(Comparison& c);
    bool parseField(Comparison& c);
    bool parseOperator(Comparison& c, const Token& field);
    bool parseValue(const Comparison& c, const Token& after, Literal& out);
    bool parseSet(Comparison& c, const Token& op);

    std::string_view m_text;
    std::vector<Token> m_tokens;
    std::size_t m_pos = 0;
    int m_depth = 0;
    stack::Error m_error;
};

bool Parser::parseField(Comparison& c) {
    const Token& t = peek();
    if (t.kind != TokKind::Word || isReserved(t))
        return fail(kFilterSyntaxError, t.offset, "expected a field name, found " + describe(t));
    const FilterFieldInfo* info = findFilterField(t.text);
    if (!info) {
        const auto guess = suggestField(t.text);
        return fail(kFilterSyntaxError, t.offset, "unknown field '" + t.text + "'",
                    guess.empty() ? std::string() : "(did you mean '" + std::string(guess) + "'?)");
    }
    next();
    c.field = info->field;
    c.type = info->type;
    if (c.field != FilterField::Header) return true;
    if (peek().kind != TokKind::LParen)
        return fail(kFilterSyntaxError, peek().offset, "expected '(' after 'header'",
                    "(write header(\"User-Agent\"))");
    next();
    const Token& name = peek();
    if ((name.kind != TokKind::String && name.kind != TokKind::Word) || name.text.empty())
        return fail(kFilterSyntaxError, name.offset,
                    "expected a header name, found " + describe(name));
    c.headerName = name.text;
    next();
    if (peek().kind == TokKind::RParen) return next(), true;
    return fail(kFilterSyntaxError, peek().offset,
                "expected ')' after the header name, found " + describe(peek()));
}

bool Parser::parseOperator(Comparison& c, const Token& field) {
    const Token& t = peek();
    if (t.kind == TokKind::Compare) {
        c.op = t.op;
    } else if (isWord(t, "in")) {
        c.op = CmpOp::In;
    } else if (isWord(t, "between")) {
        c.op = CmpOp::Between;
    } else if (isWord(t, "not") && isWord(peek(1), "in")) {
        c.op = CmpOp::NotIn;
        next();
    } else {
        std::string hint;
        if (isWord(t, "contains") || isWord(t, "matches") || isWord(t, "like"))
            hint = "(use '~' for a regular expression search)";
        else if (isWord(t, "eq") || isWord(t, "is"))
            hint = "(use '==')";
        else if (isWord(t, "ne"))
            hint = "(use '!=')";
        const std::size_t end = t.kind == TokKind::End ? m_text.size() : t.offset;
        std::string fieldText(
            m_text.substr(field.offset, std::min<std::size_t>(end - field.offset, 40)));
        while (!fieldText.empty() && stack::syntax::isLws(fieldText.back())) fieldText.pop_back();
        return fail(kFilterSyntaxError, t.offset,
                    "expected an operator after '" + fieldText + "', found " + describe(t), hint);
    }
    next();
    if (c.op == CmpOp::Between && !isNumeric(c.type))
        return fail(kFilterSyntaxError, t.offset,
                    "'between' needs a number or time field, not '" + field.text + "'");
    return true;
}

bool Parser::parseValue(const Comparison& c, const Token& after, Literal& out) {
    const Token& t = peek();
    if (t.kind == TokKind::Word && isWord(t, "null")) {
        out.null = true;
        if (c.op != CmpOp::Eq && c.op != CmpOp::Ne && c.op != CmpOp::In && c.op != CmpOp::NotIn)
            return fail(kFilterSyntaxError, t.offset,
                        "'null' can only be compared with '==' or '!='");
        return next(), true;
    }
    if ((t.kind != TokKind::Word || isReserved(t)) && t.kind != TokKind::String)
        return fail(kFilterSyntaxError, t.offset, "expected a value after '" + after.text + "'");
    out.text = t.text;
    const bool regex = c.op == CmpOp::Match || c.op == CmpOp::NotMatch;
    if (isNumeric(c.type) && !regex) {
        bool outOfRange = false;
        out.number = parseNumberText(out.text, &outOfRange);
        if (!out.number && c.type == FilterValueType::Time) out.number = parseTimeText(out.text);
        if (outOfRange && !out.number)
            return fail(ErrorCode::ValueOutOfRange, t.offset, "number out of range");
        if (!out.number && c.type == FilterValueType::Time)
            return fail(kFilterSyntaxError, t.offset,
                        "expected a time for '" + std::string(filterFieldInfo(c.field).name) +
                            "', found " + describe(t),
                        "(Unix seconds or \"YYYY-MM-DD HH:MM[:SS]\", UTC)");
        if (!out.number)
            return fail(kFilterSyntaxError, t.offset,
                        "expected a number for '" + std::string(filterFieldInfo(c.field).name) +
                            "', found " + describe(t));
    }
    next();
    return true;
}

bool Parser::parseSet(Comparison& c, const Token& op) {
    if (peek().kind != TokKind::LBracket)
        return fail(kFilterSyntaxError, peek().offset,
                    "expected '[' after '" + op.text + "', found " + describe(peek()));
    const Token* after = &next();
    while (true) {
        Literal v;
        if (!parseValue(c, *after, v)) return false;
        c.values.push_back(std::move(v));
        const Token& sep = peek();
        if (sep.kind == TokKind::RBracket) return next(), true;
        if (sep.kind != TokKind::Comma)
            return fail(kFilterSyntaxError, sep.offset,
                        "expected ',' or ']', found " + describe(sep));
        after = &next();
    }
}

bool Parser::parseComparison(Comparison& c) {
    const Token& field = peek();
    if (!parseField(c)) return false;
    if (!parseOperator(c, field)) return false;
    const Token& op = m_tokens[m_pos - 1];
    if (c.op == CmpOp::In || c.op == CmpOp::NotIn) return parseSet(c, op);
    c.values.resize(c.op == CmpOp::Between ? 2 : 1);
    if (!parseValue(c, op, c.values[0])) return false;
    if (c.op == CmpOp::Between) {
        const Token& conj = peek();
        if (conj.kind != TokKind::AndOp && !isWord(conj, "and"))
            return fail(
                kFilterSyntaxError, conj.offset,
                "expected 'and' after the first value of 'between', found " + describe(conj));
        if (!parseValue(c, next(), c.values[1])) return false;
    }
    if (c.op != CmpOp::Match && c.op != CmpOp::NotMatch) return true;
    const bool icase = c.type == FilterValueType::Keyword || c.type == FilterValueType::KeywordList;
    std::string why;
    c.regex = compileRegex(c.values[0].text, icase, why);
    if (c.regex) return true;
    const Token& pattern = m_tokens[m_pos - 1];
    return fail(kFilterSyntaxError, pattern.offset, "invalid regular expression", "(" + why + ")");
}

}  // namespace
}  // namespace filter_detail

stack::Result<Filter> parseFilter(std::string_view text) {
    using namespace filter_detail;
    if (text.size() > kFilterMaxLength)
        return filterError(stack::ErrorCode::TooLarge, kFilterMaxLength,
                           "filter longer than " + std::to_string(kFilterMaxLength) + " bytes");
    try {
        auto tokens = tokenize(text);
        if (!tokens) return std::move(tokens).error();
        if (tokens->size() == 1) return Filter();  // nothing but the end: match everything
        Parser parser(text, std::move(tokens).value());
        auto root = std::make_shared<Node>();
        if (!parser.parse(*root)) return parser.takeError();
        return Filter(std::move(root));
    } catch (const std::bad_alloc&) {
        return filterError(stack::ErrorCode::TooLarge, 0, "out of memory parsing the filter");
    }
}

std::string filterErrorPointer(std::string_view text, const stack::Error& error) {
    const std::size_t at = std::min(error.offset, text.size());
    std::size_t lineBegin = 0;
    if (at > 0 && text.rfind('\n', at - 1) != std::string_view::npos)
        lineBegin = text.rfind('\n', at - 1) + 1;
    std::size_t lineEnd = text.find('\n', at);
    if (lineEnd == std::string_view::npos) lineEnd = text.size();
    std::string out(text.substr(lineBegin, lineEnd - lineBegin));
    out += '\n';
    for (std::size_t i = lineBegin; i < at; ++i) out += text[i] == '\t' ? '\t' : ' ';
    out += '^';
    return out;
}

}  // namespace sipscope::analyzer
