// Content types by extension: /etc/mime.types (the system's table, as nginx and lighttpd's
// Debian config use) plus per-route overrides. Text types get "; charset=utf-8".
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cutover::statics {

class MimeTable {
 public:
  // A small built-in table, used when no mime.types file is readable.
  MimeTable();
  // Parses mime.types text ("type ext ext ..."; '#' comments). Later lines win.
  void add_mime_types(std::string_view text);
  // Reads a file; false if it cannot be read.
  bool load(const std::string& path);
  // `ext` with or without its dot, any case. A type given here is used verbatim.
  void set(std::string_view ext, std::string type);
  // lighttpd's mimetype.assign in its order, used alone from then on (no system table):
  // suffixes matched without case, types verbatim, found as lighttpd 1.4.69 finds them
  // (under 16 entries the first suffix that matches; from 16 the basename, then the
  // longest ".ext2.ext1", then ".ext1", then ""), application/octet-stream otherwise.
  void assign_lighttpd(std::vector<std::pair<std::string, std::string>> table);
  // The type for a file name; application/octet-stream when unknown.
  const std::string& type_of(std::string_view name) const;
  size_t size() const { return types_.size(); }

 private:
  const std::string* lighttpd_type(std::string_view name) const;
  std::unordered_map<std::string, std::string> types_;  // "html" -> "text/html; charset=utf-8"
  bool lighttpd_ = false;
  std::vector<std::pair<std::string, std::string>> ordered_;  // lower-cased suffix -> type
  std::string fallback_ = "application/octet-stream";
};

}  // namespace cutover::statics
