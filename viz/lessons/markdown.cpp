// viz/lessons/markdown.cpp - parse_markdown and parse_inline of markdown.h: one pass over
// the lines, one block open at a time (a paragraph or a list item collects its lines until
// a blank line or another block starts). Not a CommonMark parser: only what lessons/ uses.
#include "viz/lessons/markdown.h"

#include <cctype>

namespace sl::viz {

static std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace((unsigned char)s[a])) ++a;
  while (b > a && std::isspace((unsigned char)s[b - 1])) --b;
  return s.substr(a, b - a);
}

std::vector<MdSpan> parse_inline(const std::string& t) {
  std::vector<MdSpan> out;
  std::string plain;
  auto flush = [&] {
    if (!plain.empty()) out.push_back({plain, false, false});
    plain.clear();
  };
  size_t i = 0;
  while (i < t.size()) {
    const char c = t[i];
    if (c == '`') {
      const size_t e = t.find('`', i + 1);
      if (e != std::string::npos) {
        flush();
        out.push_back({t.substr(i + 1, e - i - 1), true, false});
        i = e + 1;
        continue;
      }
    } else if (c == '*') {
      const bool dbl = i + 1 < t.size() && t[i + 1] == '*';
      const std::string mark = dbl ? "**" : "*";
      const size_t e = t.find(mark, i + mark.size());
      // "*" needs a non-space after it (x * y is multiplication, not emphasis)
      if (e != std::string::npos && e > i + mark.size() &&
          !std::isspace((unsigned char)t[i + mark.size()])) {
        flush();
        // inner `code` inside bold is kept as bold text without the backticks
        for (MdSpan s : parse_inline(t.substr(i + mark.size(), e - i - mark.size()))) {
          s.bold = true;
          out.push_back(s);
        }
        i = e + mark.size();
        continue;
      }
    } else if (c == '[') {
      const size_t close = t.find("](", i + 1);
      const size_t end = close == std::string::npos ? close : t.find(')', close + 2);
      if (end != std::string::npos) {
        flush();
        for (const MdSpan& s : parse_inline(t.substr(i + 1, close - i - 1))) out.push_back(s);
        i = end + 1;
        continue;
      }
    }
    plain += c;
    ++i;
  }
  flush();
  return out;
}

std::string spans_text(const std::vector<MdSpan>& spans) {
  std::string s;
  for (const MdSpan& sp : spans) s += sp.text;
  return s;
}

// "- item", "* item", "12. item": the marker's kind, number and where the text starts.
static bool list_marker(const std::string& line, MdKind* kind, int* number, size_t* text_at,
                        int* indent) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  *indent = int(i / 2);
  if (i + 1 < line.size() && (line[i] == '-' || line[i] == '*') && line[i + 1] == ' ') {
    *kind = MdKind::bullet;
    *text_at = i + 2;
    return true;
  }
  size_t j = i;
  while (j < line.size() && std::isdigit((unsigned char)line[j])) ++j;
  if (j > i && j + 1 < line.size() && (line[j] == '.' || line[j] == ')') && line[j + 1] == ' ') {
    *kind = MdKind::numbered;
    *number = std::stoi(line.substr(i, j - i));
    *text_at = j + 2;
    return true;
  }
  return false;
}

std::vector<MdBlock> parse_markdown(const std::string& doc) {
  std::vector<MdBlock> out;
  std::string pending;  // the text of the open paragraph or list item
  MdBlock open;
  bool is_open = false;
  auto close = [&] {
    if (!is_open) return;
    open.spans = parse_inline(trim(pending));
    out.push_back(open);
    pending.clear();
    is_open = false;
  };
  auto start = [&](MdKind k) {
    close();
    open = MdBlock{};
    open.kind = k;
    is_open = true;
  };

  size_t pos = 0;
  while (pos <= doc.size()) {
    size_t nl = doc.find('\n', pos);
    if (nl == std::string::npos) nl = doc.size();
    std::string line = doc.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string t = trim(line);

    if (t.rfind("```", 0) == 0) {  // fenced code: everything up to the closing fence, verbatim
      close();
      MdBlock b;
      b.kind = MdKind::code;
      b.lang = trim(t.substr(3));
      const size_t indent = line.find("```");
      std::string body;
      while (pos <= doc.size()) {
        size_t e = doc.find('\n', pos);
        if (e == std::string::npos) e = doc.size();
        std::string l = doc.substr(pos, e - pos);
        pos = e + 1;
        if (!l.empty() && l.back() == '\r') l.pop_back();
        if (trim(l).rfind("```", 0) == 0) break;
        // a fence inside a list item is indented: drop that indent from its lines
        size_t k = 0;
        while (k < indent && k < l.size() && l[k] == ' ') ++k;
        body += l.substr(k) + "\n";
      }
      if (!body.empty()) body.pop_back();
      b.code = body;
      out.push_back(b);
      continue;
    }
    if (t.empty()) {
      close();
      continue;
    }
    if (t[0] == '#') {
      size_t n = 0;
      while (n < t.size() && t[n] == '#') ++n;
      if (n <= 6 && n < t.size() && t[n] == ' ') {
        start(MdKind::heading);
        open.level = int(n);
        pending = t.substr(n + 1);
        close();
        continue;
      }
    }
    if (t == "---" || t == "***" || t == "___") {
      close();
      MdBlock b;
      b.kind = MdKind::rule;
      out.push_back(b);
      continue;
    }
    if (t.rfind("![", 0) == 0) {  // an image on its own line
      const size_t close_br = t.find("](");
      const size_t end = close_br == std::string::npos ? close_br : t.find(')', close_br + 2);
      if (end != std::string::npos && trim(t.substr(end + 1)).empty()) {
        close();
        MdBlock b;
        b.kind = MdKind::image;
        b.alt = t.substr(2, close_br - 2);
        b.path = t.substr(close_br + 2, end - close_br - 2);
        out.push_back(b);
        continue;
      }
    }
    MdKind k;
    int number = 0, indent = 0;
    size_t text_at = 0;
    if (list_marker(line, &k, &number, &text_at, &indent)) {
      start(k);
      open.number = number;
      open.level = indent;
      pending = line.substr(text_at);
      continue;
    }
    if (!is_open) start(MdKind::paragraph);
    // A continuation line of the open paragraph or list item: joined by a space, except
    // between two non-ASCII characters (Chinese lines break without one).
    const bool cjk_join =
        !pending.empty() && (unsigned char)pending.back() >= 0x80 && (unsigned char)t[0] >= 0x80;
    pending += (cjk_join ? "" : " ") + t;
  }
  close();
  return out;
}

}  // namespace sl::viz
