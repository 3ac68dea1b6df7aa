// A request body of unknown length (chunked), held until it is complete so CONTENT_LENGTH
// can be exact (php-fpm needs it): in memory up to a limit, then in an unnamed temporary
// file (O_TMPFILE: nothing is left behind, even after a crash). No Asio.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace cutover::fcgi {

class Spool {
 public:
  Spool(size_t memory_limit, std::string dir) : memory_limit_(memory_limit), dir_(std::move(dir)) {}
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // False (with `error`) when the temporary file cannot be made or written.
  bool append(std::string_view data, std::string& error);
  uint64_t size() const { return size_; }
  bool on_disk() const { return fd_ >= 0; }
  // The piece at `offset`, at most `max` bytes; empty at the end (or on error, with `error`).
  // From memory it is a view into the spool; from the file it is read into `buf`.
  std::string_view read(uint64_t offset, size_t max, std::string& buf, std::string& error) const;

 private:
  size_t memory_limit_;
  std::string dir_;
  std::string mem_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace cutover::fcgi
