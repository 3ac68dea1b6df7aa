// Incremental decoder for the chunked transfer coding (RFC 9112 7.1). Pure: it only looks at
// the bytes it is given; strict about framing so that nothing ambiguous is ever forwarded.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace cutover::http1 {

class ChunkedDecoder {
 public:
  enum class Status { need_more, data, done, error };

  // Consumes bytes from `in` (advancing it). Returns `data` with `out` set to a span of body
  // bytes inside the original input, `need_more` when `in` is used up, `done` after the last
  // chunk and trailers (the rest of `in` is left untouched), or `error`.
  Status step(std::string_view& in, std::string_view& out);

  bool done() const { return state_ == State::done; }
  const char* error() const { return error_; }
  // The trailer section's field lines as they came ("Name: value\r\n" each), once done();
  // empty without trailers (then nothing was allocated). Read them with
  // http1::parse_trailer_fields.
  std::string_view trailer_text() const { return trailers_; }

 private:
  enum class State { size, ext, size_lf, data, data_cr, data_lf, trailer_start, trailer,
                     trailer_lf, last_lf, done, error };
  Status fail(const char* why) {
    state_ = State::error;
    error_ = why;
    return Status::error;
  }
  State state_ = State::size;
  uint64_t remaining_ = 0;
  int digits_ = 0;
  size_t ext_bytes_ = 0;
  size_t trailer_bytes_ = 0;
  std::string trailers_;
  const char* error_ = "";
};

}  // namespace cutover::http1
