// Splits filter text into tokens: words, quoted strings, operators and brackets.

#include "query/filter_lexer.hpp"

#include "syntax/char_class.hpp"

namespace sipscope::analyzer::filter_detail {

namespace {

using stack::ErrorCode;
using stack::syntax::hexValue;

bool isWordByte(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) return true;  // UTF-8 in user names
    if (stack::syntax::isAlpha(c) || stack::syntax::isDigit(c)) return true;
    switch (c) {
        case '_':
        case '.':
        case ':':
        case '@':
        case '/':
        case '+':
        case '-':
            return true;
        default:
            return false;
    }
}

// U+2018, U+2019, U+201C, U+201D in UTF-8: what a word processor makes of quotes.
bool typographicQuote(std::string_view in, std::size_t pos) {
    if (pos + 3 > in.size() || in[pos] != '\xe2' || in[pos + 1] != '\x80') return false;
    const char c = in[pos + 2];
    return c == '\x98' || c == '\x99' || c == '\x9c' || c == '\x9d';
}

// A quoted string starting at input[pos]; pos ends after the closing quote.
stack::Result<Token> quoted(std::string_view in, std::size_t& pos) {
    Token t{TokKind::String, pos, 0, {}, CmpOp::Eq};
    const char quote = in[pos++];
    while (pos < in.size() && in[pos] != quote) {
        const char c = in[pos++];
        if (c != '\\' || pos == in.size()) {
            t.text += c;
            continue;
        }
        const char e = in[pos];
        if (e == '"' || e == '\'' || e == '\\') {
            t.text += e;
        } else if (e == 'n' || e == 't' || e == 'r') {
            t.text += e == 'n' ? '\n' : e == 't' ? '\t' : '\r';
        } else if (e == 'x' && pos + 2 < in.size() && hexValue(in[pos + 1]) >= 0 &&
                   hexValue(in[pos + 2]) >= 0) {
            t.text += static_cast<char>(hexValue(in[pos + 1]) * 16 + hexValue(in[pos + 2]));
            pos += 2;
        } else {
            // Anything else stays as written, so "\d+" reaches the regex unharmed.
            t.text += '\\';
            t.text += e;
        }
        ++pos;
    }
    if (pos >= in.size())
        return filterError(ErrorCode::UnterminatedQuote, t.offset, "unterminated string starting");
    ++pos;
    t.length = pos - t.offset;
    return t;
}

// An operator or bracket at input[pos], or an error for a character that starts nothing.
stack::Result<Token> symbol(std::string_view in, std::size_t& pos) {
    Token t{TokKind::Compare, pos, 1, {}, CmpOp::Eq};
    const char c = in[pos];
    const char next = pos + 1 < in.size() ? in[pos + 1] : '\0';
    const auto two = [&](TokKind kind, CmpOp op = CmpOp::Eq) {
        t.kind = kind;
        t.op = op;
        t.length = 2;
    };
    switch (c) {
        case '(':
            t.kind = TokKind::LParen;
            break;
        case ')':
            t.kind = TokKind::RParen;
            break;
        case '[':
            t.kind = TokKind::LBracket;
            break;
        case ']':
            t.kind = TokKind::RBracket;
            break;
        case ',':
            t.kind = TokKind::Comma;
            break;
        case '~':
            t.op = CmpOp::Match;
            break;
        case '=':
            if (next == '=') two(TokKind::Compare, CmpOp::Eq);
            if (next == '~') two(TokKind::Compare, CmpOp::Match);
            break;
        case '!':
            if (next == '=')
                two(TokKind::Compare, CmpOp::Ne);
            else if (next == '~')
                two(TokKind::Compare, CmpOp::NotMatch);
            else
                t.kind = TokKind::NotOp;
            break;
        case '<':
            if (next == '=')
                two(TokKind::Compare, CmpOp::Le);
            else
                t.op = CmpOp::Lt;
            break;
        case '>':
            if (next == '=')
                two(TokKind::Compare, CmpOp::Ge);
            else
                t.op = CmpOp::Gt;
            break;
        case '&':
        case '|':
            if (next == c) {
                two(c == '&' ? TokKind::AndOp : TokKind::OrOp);
                break;
            }
            return filterError(kFilterSyntaxError, pos, std::string("unexpected '") + c + "'",
                               c == '&' ? "(did you mean '&&'?)" : "(did you mean '||'?)");
        default: {
            const auto u = static_cast<unsigned char>(c);
            constexpr char kHex[] = "0123456789abcdef";
            std::string what = u < 0x20 || u == 0x7f
                                   ? std::string("unexpected byte 0x") + kHex[u >> 4] + kHex[u & 15]
                                   : std::string("unexpected character '") + c + "'";
            return filterError(kFilterSyntaxError, pos, std::move(what));
        }
    }
    t.text = std::string(in.substr(pos, t.length));
    pos += t.length;
    return t;
}

}  // namespace

stack::Error filterError(stack::ErrorCode code, std::size_t offset, std::string what,
                         std::string_view hint) {
    what += " at column " + std::to_string(offset);
    if (!hint.empty()) {
        what += ' ';
        what += hint;
    }
    return stack::makeError(code, offset, std::move(what));
}

stack::Result<std::vector<Token>> tokenize(std::string_view in) {
    std::vector<Token> tokens;
    std::size_t pos = 0;
    while (true) {
        while (pos < in.size() && stack::syntax::isLws(in[pos])) ++pos;
        if (pos == in.size()) break;
        if (isWordByte(in[pos])) {
            const std::size_t begin = pos;
            while (pos < in.size() && isWordByte(in[pos]) && !typographicQuote(in, pos)) ++pos;
            if (pos < in.size() && typographicQuote(in, pos))
                return filterError(kFilterSyntaxError, pos, "unexpected typographic quote",
                                   "(use \" or ')");
            tokens.push_back(Token{TokKind::Word, begin, pos - begin,
                                   std::string(in.substr(begin, pos - begin)), CmpOp::Eq});
            continue;
        }
        auto t = in[pos] == '"' || in[pos] == '\'' ? quoted(in, pos) : symbol(in, pos);
        if (!t) return std::move(t).error();
        tokens.push_back(std::move(t).value());
    }
    tokens.push_back(Token{TokKind::End, in.size(), 0, {}, CmpOp::Eq});
    return tokens;
}

}  // namespace sipscope::analyzer::filter_detail
