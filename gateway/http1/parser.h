// Parsers for HTTP/1.x request and response heads. Pure functions over bytes: they never
// read beyond the given buffer and report every malformed input as a ParseError.
#pragma once
#include <string_view>

#include "http1/message.h"

namespace cutover::http1 {

enum class ParseStatus { complete, incomplete, error };

struct ParseError {
  int status = 400;          // the answer the client gets: 400, 505, 431
  std::string_view reason;   // short, for logs and the response body
};

// Parses a request head from the start of `buf`. `max_head` bounds the head size and
// `max_fields` the number of header fields (beyond either: 431). Field views point into `buf`.
constexpr size_t kDefaultMaxFields = 100;
ParseStatus parse_request_head(std::string_view buf, size_t max_head, RequestHead& out,
                               ParseError& err, size_t max_fields = kDefaultMaxFields);

// Checks framing and smuggling rules and fills the derived fields of `req`.
// Returns false (with err) when the request must be refused.
bool validate_request(RequestHead& req, ParseError& err);

// Parses a response head from an upstream; `request_was_head` and the status decide framing.
ParseStatus parse_response_head(std::string_view buf, size_t max_head, bool request_was_head,
                                ResponseHead& out, ParseError& err);

// The field lines of a chunked message's trailer section (ChunkedDecoder::trailer_text()),
// by the rules of a head's fields; views point into `text`. Fields that must not come as
// trailers (RFC 9110 6.5.1: framing, routing, authentication, response control, the
// content's own metadata) are left out, so that a trailer never acts as a header. False
// (and nothing in `out`) when a line is malformed: the section is then dropped whole.
bool parse_trailer_fields(std::string_view text, std::vector<Field>& out);

}  // namespace cutover::http1
