#include "http1/chunked.h"

namespace cutover::http1 {
namespace {
constexpr size_t kMaxExtension = 4096;
constexpr size_t kMaxTrailers = 16384;

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

ChunkedDecoder::Status ChunkedDecoder::step(std::string_view& in, std::string_view& out) {
  while (!in.empty()) {
    char c = in.front();
    switch (state_) {
      case State::size: {
        int v = hexval(c);
        if (v >= 0) {
          // 15 hex digits keep the size far below 2^63: no overflow possible.
          if (++digits_ > 15) return fail("chunk size too large");
          remaining_ = remaining_ * 16 + uint64_t(v);
          in.remove_prefix(1);
          break;
        }
        if (digits_ == 0) return fail("missing chunk size");
        if (c == ';') {
          state_ = State::ext;
        } else if (c == '\r') {
          state_ = State::size_lf;
        } else {
          return fail("invalid chunk size");
        }
        in.remove_prefix(1);
        break;
      }
      case State::ext:
        if (c == '\r') {
          state_ = State::size_lf;
        } else if (c == '\n' || (static_cast<unsigned char>(c) < 0x20 && c != '\t')) {
          return fail("invalid chunk extension");
        } else if (++ext_bytes_ > kMaxExtension) {
          return fail("chunk extension too long");
        }
        in.remove_prefix(1);
        break;
      case State::size_lf:
        if (c != '\n') return fail("expected LF after chunk size");
        in.remove_prefix(1);
        digits_ = 0;
        ext_bytes_ = 0;
        state_ = remaining_ == 0 ? State::trailer_start : State::data;
        break;
      case State::data: {
        size_t n = remaining_ < in.size() ? size_t(remaining_) : in.size();
        out = in.substr(0, n);
        in.remove_prefix(n);
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::data_cr;
        return Status::data;
      }
      case State::data_cr:
        if (c != '\r') return fail("expected CRLF after chunk data");
        in.remove_prefix(1);
        state_ = State::data_lf;
        break;
      case State::data_lf:
        if (c != '\n') return fail("expected CRLF after chunk data");
        in.remove_prefix(1);
        state_ = State::size;
        break;
      case State::trailer_start:
        if (c == '\r') {
          state_ = State::last_lf;
          in.remove_prefix(1);
        } else {
          state_ = State::trailer;
        }
        break;
      case State::trailer:
        if (++trailer_bytes_ > kMaxTrailers) return fail("trailers too large");
        if (c == '\r') state_ = State::trailer_lf;
        else if (c == '\n' || c == '\0') return fail("invalid trailer");
        trailers_ += c;
        in.remove_prefix(1);
        break;
      case State::trailer_lf:
        if (c != '\n') return fail("invalid trailer line end");
        trailers_ += c;
        in.remove_prefix(1);
        state_ = State::trailer_start;
        break;
      case State::last_lf:
        if (c != '\n') return fail("expected LF after last chunk");
        in.remove_prefix(1);
        state_ = State::done;
        return Status::done;
      case State::done:
        return Status::done;
      case State::error:
        return Status::error;
    }
  }
  if (state_ == State::done) return Status::done;
  if (state_ == State::error) return Status::error;
  return Status::need_more;
}

}  // namespace cutover::http1
