// viz/lessons/markdown.h - the small Markdown subset the lesson READMEs use, parsed into
// blocks without a window (tests/viz/test_viz_state_lessons.cpp runs it on every README):
// headings, paragraphs with inline `code` and **bold**, bullet and numbered lists, fenced
// code blocks, images and rules. Not here: drawing (panel_lessons.cpp), tables, nested
// lists, HTML, links (a [text](url) keeps its text and drops the url).
#pragma once
#include <string>
#include <vector>

namespace sl::viz {

struct MdSpan {
  std::string text;
  bool code = false;  // `code`: mono font
  bool bold = false;  // **bold** (or *emphasis*, drawn the same)
};

enum class MdKind { heading, paragraph, bullet, numbered, code, image, rule };

struct MdBlock {
  MdKind kind = MdKind::paragraph;
  int level = 0;              // heading: 1..6; bullet / numbered: indent (0, 1, ...)
  int number = 0;             // numbered: the item's number as written
  std::vector<MdSpan> spans;  // heading, paragraph, bullet, numbered
  std::string code;           // code: the lines between the fences, no trailing newline
  std::string lang;           // code: the word after the opening fence ("text", "cpp")
  std::string alt, path;      // image: ![alt](path), path as written (relative to the README)
};

// Inline markup of one paragraph's text: `code`, **bold**, *em*, [text](url).
// Unclosed markers stay literal text.
std::vector<MdSpan> parse_inline(const std::string& text);
// A whole document. Lines of one paragraph or list item are joined by one space.
std::vector<MdBlock> parse_markdown(const std::string& doc);
// The plain text of spans (markers removed), e.g. for a heading's title.
std::string spans_text(const std::vector<MdSpan>& spans);

}  // namespace sl::viz
