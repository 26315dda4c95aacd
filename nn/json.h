// nn/json.h - a small strict JSON reader (RFC 8259: no comments, no trailing commas, no
// NaN, UTF-8 strings with escapes, nesting at most 64 deep) for safetensors headers, and
// json_quote() for writers. Errors are sl::Error naming the byte offset. Not here: a
// general document model with editing; numbers keep their text so integers stay exact.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sl {

struct JsonMember;

struct JsonValue {
  enum class Kind { null, boolean, number, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  std::string text;                 // number: its literal text; string: the decoded UTF-8
  std::vector<JsonValue> items;     // array
  std::vector<JsonMember> members;  // object, in file order
  size_t offset = 0;                // where the value starts

  const JsonValue* find(std::string_view key) const;  // object member or null
  // A non-negative integer that fits int64 ("12", not "1.0", "-1" or "1e3"); throws otherwise.
  int64_t as_index(const char* what) const;
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

// Parses the whole text (surrounding whitespace allowed); throws sl::Error with
// "json: <what> at byte <offset>" (plus `base_offset`, to report file positions).
JsonValue json_parse(std::string_view text, size_t base_offset = 0);

// "a\"b" for a"b: quotes and escapes a string for output.
std::string json_quote(std::string_view s);

const char* json_kind_name(JsonValue::Kind k);

}  // namespace sl
