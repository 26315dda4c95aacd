// nn/json.cpp - a recursive-descent JSON parser, strict and bounded: it rejects anything
// RFC 8259 does not allow, duplicate object keys, invalid UTF-8 and nesting deeper than 64,
// and never reads past the end of its input (a fuzz target holds it to that).
#include "nn/json.h"

#include <unordered_set>

#include "core/error.h"

namespace sl {

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view t, size_t base) : t_(t), base_(base) {}

  JsonValue document() {
    skip_ws();
    JsonValue v = value(0);
    skip_ws();
    if (i_ != t_.size()) fail("unexpected text after the value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(str_cat("json: ", what, " at byte ", base_ + i_));
  }
  bool at_end() const { return i_ >= t_.size(); }
  char peek() const { return at_end() ? '\0' : t_[i_]; }
  void skip_ws() {
    while (!at_end() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
  }
  void expect(char c) {
    if (peek() != c || at_end()) fail(str_cat("expected '", c, "'"));
    ++i_;
  }
  void literal(std::string_view word) {
    if (t_.substr(i_, word.size()) != word) fail("invalid literal");
    i_ += word.size();
  }

  JsonValue value(int depth) {
    if (depth > kMaxDepth) fail("nesting deeper than 64");
    JsonValue v;
    v.offset = base_ + i_;
    const char c = peek();
    if (at_end()) fail("unexpected end of input");
    if (c == '{') {
      v.kind = JsonValue::Kind::object;
      ++i_;
      skip_ws();
      if (peek() == '}' && !at_end()) {
        ++i_;
        return v;
      }
      std::unordered_set<std::string> seen;
      while (true) {
        skip_ws();
        if (peek() != '"' || at_end()) fail("expected a string key");
        std::string key = string();
        if (!seen.insert(key).second) fail(str_cat("duplicate key \"", key, "\""));
        skip_ws();
        expect(':');
        skip_ws();
        v.members.push_back({std::move(key), value(depth + 1)});
        skip_ws();
        if (peek() == ',' && !at_end()) {
          ++i_;
          continue;
        }
        expect('}');
        return v;
      }
    }
    if (c == '[') {
      v.kind = JsonValue::Kind::array;
      ++i_;
      skip_ws();
      if (peek() == ']' && !at_end()) {
        ++i_;
        return v;
      }
      while (true) {
        skip_ws();
        v.items.push_back(value(depth + 1));
        skip_ws();
        if (peek() == ',' && !at_end()) {
          ++i_;
          continue;
        }
        expect(']');
        return v;
      }
    }
    if (c == '"') {
      v.kind = JsonValue::Kind::string;
      v.text = string();
      return v;
    }
    if (c == 't') {
      literal("true");
      v.kind = JsonValue::Kind::boolean;
      v.boolean = true;
      return v;
    }
    if (c == 'f') {
      literal("false");
      v.kind = JsonValue::Kind::boolean;
      return v;
    }
    if (c == 'n') {
      literal("null");
      return v;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      v.kind = JsonValue::Kind::number;
      v.text = number();
      return v;
    }
    fail(str_cat("unexpected character 0x", std::to_string((unsigned char)c)));
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  std::string number() {
    const size_t start = i_;
    auto digits = [&] {
      const size_t d = i_;
      while (!at_end() && t_[i_] >= '0' && t_[i_] <= '9') ++i_;
      if (i_ == d) fail("expected a digit");
    };
    if (peek() == '-') ++i_;
    if (peek() == '0' && !at_end())
      ++i_;
    else
      digits();
    if (peek() == '.' && !at_end()) {
      ++i_;
      digits();
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++i_;
      if (peek() == '+' || peek() == '-') ++i_;
      digits();
    }
    return std::string(t_.substr(start, i_ - start));
  }

  unsigned hex4() {
    unsigned u = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = peek();
      if (at_end()) fail("truncated \\u escape");
      u <<= 4;
      if (h >= '0' && h <= '9')
        u |= (unsigned)(h - '0');
      else if (h >= 'a' && h <= 'f')
        u |= (unsigned)(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        u |= (unsigned)(h - 'A' + 10);
      else
        fail("invalid \\u escape");
      ++i_;
    }
    return u;
  }

  static void put_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80)
      out += (char)cp;
    else if (cp < 0x800) {
      out += (char)(0xC0 | (cp >> 6));
      out += (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += (char)(0xE0 | (cp >> 12));
      out += (char)(0x80 | ((cp >> 6) & 0x3F));
      out += (char)(0x80 | (cp & 0x3F));
    } else {
      out += (char)(0xF0 | (cp >> 18));
      out += (char)(0x80 | ((cp >> 12) & 0x3F));
      out += (char)(0x80 | ((cp >> 6) & 0x3F));
      out += (char)(0x80 | (cp & 0x3F));
    }
  }

  // One UTF-8 sequence starting at i_, validated (no overlongs, no surrogates).
  void utf8(std::string& out) {
    const auto b0 = (unsigned char)t_[i_];
    int len = b0 >= 0xF0 && b0 <= 0xF4 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 && b0 <= 0xDF ? 2 : 0;
    if (len == 0 || i_ + (size_t)len > t_.size()) fail("invalid UTF-8");
    unsigned cp = b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (int k = 1; k < len; ++k) {
      const auto b = (unsigned char)t_[i_ + (size_t)k];
      if ((b & 0xC0) != 0x80) fail("invalid UTF-8");
      cp = (cp << 6) | (b & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      fail("invalid UTF-8");
    out.append(t_.substr(i_, (size_t)len));
    i_ += (size_t)len;
  }

  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      if (at_end()) fail("unterminated string");
      const auto c = (unsigned char)t_[i_];
      if (c == '"') {
        ++i_;
        return out;
      }
      if (c < 0x20) fail("control character in string");
      if (c >= 0x80) {
        utf8(out);
        continue;
      }
      if (c != '\\') {
        out += (char)c;
        ++i_;
        continue;
      }
      ++i_;
      const char e = peek();
      if (at_end()) fail("unterminated escape");
      ++i_;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // a high surrogate needs its low half
            if (t_.substr(i_, 2) != "\\u") fail("lone high surrogate");
            i_ += 2;
            const unsigned lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("invalid surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          put_utf8(out, cp);
          break;
        }
        default: --i_; fail("invalid escape");
      }
    }
  }

  std::string_view t_;
  size_t base_;
  size_t i_ = 0;
};

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
  for (auto& m : members)
    if (m.key == key) return &m.value;
  return nullptr;
}

int64_t JsonValue::as_index(const char* what) const {
  bool ok = kind == Kind::number && !text.empty() && text.size() <= 18;
  for (char c : text) ok = ok && c >= '0' && c <= '9';
  if (!ok)
    throw Error(
        str_cat("json: ", what, " must be a non-negative integer below 10^18 at byte ", offset));
  return std::stoll(text);
}

JsonValue json_parse(std::string_view text, size_t base_offset) {
  return Parser(text, base_offset).document();
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = (unsigned char)ch;
    if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\r')
      out += "\\r";
    else if (c < 0x20) {
      const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else
      out += ch;
  }
  return out + "\"";
}

const char* json_kind_name(JsonValue::Kind k) {
  switch (k) {
    case JsonValue::Kind::null: return "null";
    case JsonValue::Kind::boolean: return "boolean";
    case JsonValue::Kind::number: return "number";
    case JsonValue::Kind::string: return "string";
    case JsonValue::Kind::array: return "array";
    case JsonValue::Kind::object: return "object";
  }
  return "?";
}

}  // namespace sl
