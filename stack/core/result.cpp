#include "core/result.hpp"

namespace sipscope::stack {

std::string_view errorCodeName(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::Ok:
            return "ok";
        case ErrorCode::Empty:
            return "empty";
        case ErrorCode::Incomplete:
            return "incomplete";
        case ErrorCode::BadStartLine:
            return "bad_start_line";
        case ErrorCode::BadVersion:
            return "bad_version";
        case ErrorCode::BadMethod:
            return "bad_method";
        case ErrorCode::BadStatusCode:
            return "bad_status_code";
        case ErrorCode::BadRequestUri:
            return "bad_request_uri";
        case ErrorCode::BadHeaderLine:
            return "bad_header_line";
        case ErrorCode::BadHeaderValue:
            return "bad_header_value";
        case ErrorCode::BadUri:
            return "bad_uri";
        case ErrorCode::BadParam:
            return "bad_param";
        case ErrorCode::UnterminatedQuote:
            return "unterminated_quote";
        case ErrorCode::ValueOutOfRange:
            return "value_out_of_range";
        case ErrorCode::MissingHeader:
            return "missing_header";
        case ErrorCode::MultipleValues:
            return "multiple_values";
        case ErrorCode::CSeqMismatch:
            return "cseq_mismatch";
        case ErrorCode::BadContentLength:
            return "bad_content_length";
        case ErrorCode::BodyTruncated:
            return "body_truncated";
        case ErrorCode::TooLarge:
            return "too_large";
        case ErrorCode::BadBody:
            return "bad_body";
        case ErrorCode::LeadingWhitespace:
            return "leading_whitespace";
        case ErrorCode::TrailingData:
            return "trailing_data";
        case ErrorCode::NoContentLength:
            return "no_content_length";
        case ErrorCode::HeadersNotTerminated:
            return "headers_not_terminated";
        case ErrorCode::LegacySyntax:
            return "legacy_syntax";
        case ErrorCode::Tolerated:
            return "tolerated";
        case ErrorCode::KeepAlive:
            return "keep_alive";
    }
    return "unknown";
}

}  // namespace sipscope::stack
