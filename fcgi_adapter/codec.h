// FastCGI 1.0 records and name-value pairs (the FastCGI specification, sections 3-5).
// Layer 1 of the adapter: a pure codec, no I/O, fuzzed. Every malformed input is an error
// value; nothing reads past the bytes it is given.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cutover::fcgi {

enum class Type : uint8_t {
  begin_request = 1,
  abort_request = 2,
  end_request = 3,
  params = 4,
  stdin_ = 5,
  stdout_ = 6,
  stderr_ = 7,
  data = 8,
  get_values = 9,
  get_values_result = 10,
  unknown_type = 11,
};

enum class Role : uint16_t { responder = 1, authorizer = 2, filter = 3 };
enum class ProtocolStatus : uint8_t { request_complete = 0, cant_mpx_conn = 1, overloaded = 2, unknown_role = 3 };

constexpr size_t kHeaderLen = 8;
constexpr size_t kMaxContent = 65535;

struct Record {
  Type type{};
  uint16_t request_id = 0;
  std::string_view content;  // a view into the parsed input
  size_t size = 0;           // header + content + padding: bytes the record occupies
};

enum class ParseStatus { complete, incomplete, error };

// Parses the record at the start of `in`. `error` for a version other than 1.
ParseStatus parse_record(std::string_view in, Record& out);

// --- encoding (appends to `out`) ---
// A stream record of `data`, split at 65535 bytes and padded to a multiple of 8; an empty
// `data` writes the stream's terminating empty record.
void append_stream(std::string& out, Type type, uint16_t id, std::string_view data);
void append_begin_request(std::string& out, uint16_t id, Role role, bool keep_conn);
void append_end_request(std::string& out, uint16_t id, uint32_t app_status, ProtocolStatus status);
void append_name_value(std::string& out, std::string_view name, std::string_view value);
// PARAMS records for all pairs, then the empty PARAMS record.
using NameValue = std::pair<std::string_view, std::string_view>;
void append_params(std::string& out, uint16_t id, const std::vector<NameValue>& params);
void append_get_values(std::string& out, const std::vector<std::string>& names);

// --- decoding record contents ---
// Name-value pairs (PARAMS, GET_VALUES_RESULT); false if a length runs past the data.
bool parse_name_values(std::string_view data, std::vector<std::pair<std::string_view, std::string_view>>& out);

struct EndRequest {
  uint32_t app_status = 0;
  ProtocolStatus protocol_status = ProtocolStatus::request_complete;
};
bool parse_end_request(std::string_view content, EndRequest& out);

struct BeginRequest {
  Role role = Role::responder;
  bool keep_conn = false;
};
bool parse_begin_request(std::string_view content, BeginRequest& out);

}  // namespace cutover::fcgi
