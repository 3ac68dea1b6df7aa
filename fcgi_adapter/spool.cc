#include "fcgi_adapter/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cutover::fcgi {

Spool::~Spool() {
  if (fd_ >= 0) ::close(fd_);
}

static bool write_all(int fd, std::string_view data, std::string& error) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = std::string("writing the spool file: ") + std::strerror(errno);
      return false;
    }
    data.remove_prefix(size_t(n));
  }
  return true;
}

bool Spool::append(std::string_view data, std::string& error) {
  if (fd_ < 0 && mem_.size() + data.size() <= memory_limit_) {
    mem_.append(data);
    size_ += data.size();
    return true;
  }
  if (fd_ < 0) {
    fd_ = ::open(dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      error = "cannot make a spool file in " + dir_ + ": " + std::strerror(errno);
      return false;
    }
    if (!write_all(fd_, mem_, error)) return false;
    mem_.clear();
    mem_.shrink_to_fit();
  }
  if (!write_all(fd_, data, error)) return false;
  size_ += data.size();
  return true;
}

std::string_view Spool::read(uint64_t offset, size_t max, std::string& buf, std::string& error) const {
  if (offset >= size_) return {};
  if (fd_ < 0) return std::string_view(mem_).substr(size_t(offset), max);
  buf.resize(max);
  ssize_t n;
  do n = ::pread(fd_, buf.data(), buf.size(), off_t(offset));
  while (n < 0 && errno == EINTR);
  if (n <= 0) {
    error = std::string("reading the spool file: ") + (n < 0 ? std::strerror(errno) : "short file");
    return {};
  }
  return std::string_view(buf.data(), size_t(n));
}

}  // namespace cutover::fcgi
