// A directory listing as HTML or JSON, from a list of entries (no I/O): names escaped,
// directories first, sortable by name, size or time (?sort=name|size|time&order=asc|desc).
#pragma once
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace cutover::statics {

struct DirEntry {
  std::string name;
  bool is_dir = false;
  uint64_t size = 0;
  time_t mtime = 0;
};

struct ListingOrder {
  enum class Key { name, size, time } key = Key::name;
  bool descending = false;
};

// From the request's query string; unknown values keep the default (name, ascending).
ListingOrder listing_order(std::string_view query);

void sort_entries(std::vector<DirEntry>& entries, const ListingOrder& order);

// `url_path` is the decoded request path of the directory (ends with '/').
std::string render_listing_html(std::string_view url_path, const std::vector<DirEntry>& sorted,
                                const ListingOrder& order, bool show_parent);
std::string render_listing_json(std::string_view url_path, const std::vector<DirEntry>& sorted);

std::string html_escape(std::string_view s);
// Percent-encodes a path segment for an href (everything but unreserved characters).
std::string encode_segment(std::string_view s);

}  // namespace cutover::statics
