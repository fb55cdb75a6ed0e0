#pragma once
// Tokens of the filter language (internal to analyzer/query).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "query/filter_ast.hpp"

namespace sipscope::analyzer::filter_detail {

enum class TokKind : std::uint8_t {
    Word,    // bare word: field name, keyword, number, unquoted value
    String,  // quoted string, text decoded
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Compare,  // == = != < <= > >= ~ =~ !~
    AndOp,    // &&
    OrOp,     // ||
    NotOp,    // !
    End,
};

struct Token {
    TokKind kind = TokKind::End;
    std::size_t offset = 0, length = 0;  // in the filter text
    std::string text;                    // Word: as written; String: decoded
    CmpOp op = CmpOp::Eq;                // Compare
};

// The last token is always End (at the input's size).
stack::Result<std::vector<Token>> tokenize(std::string_view input);

// "what at column N[ hint]", the form of every filter error message.
stack::Error filterError(stack::ErrorCode code, std::size_t offset, std::string what,
                         std::string_view hint = {});

}  // namespace sipscope::analyzer::filter_detail
