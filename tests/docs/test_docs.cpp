// tests/docs/test_docs.cpp - the project's words point only inside the project: every
// repository path named in a Markdown file (README.md, docs/, lessons/) or in the opening
// comment of a source file exists, every function or type a Markdown file cites in
// backticks (`conv2d_1x1_forward`, `sl::Sgd`) is still a name in the code, and no file
// names the folder beside the clone that users do not have. Not here: whether the prose is
// still true (review does that).
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = SL_SOURCE_DIR;

// [SECTION] Which files are read

// Folders whose files are the project's own; the rest of the clone (build/, .venv/, data/,
// runs/, .git) is made by tools, and assets/ holds data, not words.
const char* const kSourceDirs[] = {"core",  "nn",      "viz",  "apps", "lessons",
                                   "tests", "scripts", "docs", ".ci"};
const char* const kTopFiles[] = {"README.md", "Makefile", "CMakeLists.txt", "CMakePresets.json",
                                 ".gitignore"};

enum class Syntax { markdown, slashes, hashes, python, other };

Syntax syntax_of(const fs::path& p) {
  const std::string ext = p.extension().string(), name = p.filename().string();
  if (ext == ".md") return Syntax::markdown;
  if (ext == ".h" || ext == ".cpp" || ext == ".cu") return Syntax::slashes;
  if (ext == ".py") return Syntax::python;
  if (ext == ".cmake" || ext == ".sh" || name == "CMakeLists.txt" || name == "Makefile" ||
      name == ".gitignore" ||
      ext.empty())  // scripts/setup, scripts/get-cifar10, .ci/run: shell scripts
    return Syntax::hashes;
  return Syntax::other;  // .json and the like: no comments, still searched for outside paths
}

// Every file of the project, as paths relative to the root, sorted.
std::vector<fs::path> project_files() {
  std::vector<fs::path> files;
  for (const char* f : kTopFiles)
    if (fs::is_regular_file(kRoot / f)) files.emplace_back(f);
  for (const char* d : kSourceDirs) {
    if (!fs::is_directory(kRoot / d)) continue;
    for (const auto& e : fs::recursive_directory_iterator(kRoot / d))
      if (e.is_regular_file()) files.push_back(fs::relative(e.path(), kRoot));
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> read_lines(const fs::path& rel) {
  std::ifstream in(kRoot / rel, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string trimmed(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b);
}

bool is_comment(const std::string& line, Syntax syntax) {
  const std::string t = trimmed(line);
  if (syntax == Syntax::slashes) return t.rfind("//", 0) == 0;
  if (syntax == Syntax::hashes || syntax == Syntax::python) return t.rfind("#", 0) == 0;
  return false;
}

// The lines a reader meets first: a Markdown file whole; a source file's opening comment
// (after a #! line), or a Python file's opening docstring. Pairs of (line number, text).
std::vector<std::pair<int, std::string>> words_of(const fs::path& rel) {
  const Syntax syntax = syntax_of(rel);
  const std::vector<std::string> lines = read_lines(rel);
  std::vector<std::pair<int, std::string>> out;
  size_t i = 0;
  if (syntax == Syntax::markdown) {
    for (; i < lines.size(); ++i) out.emplace_back((int)i + 1, lines[i]);
    return out;
  }
  if (i < lines.size() && lines[i].rfind("#!", 0) == 0) ++i;
  if (syntax == Syntax::python && i < lines.size() && trimmed(lines[i]).rfind("\"\"\"", 0) == 0) {
    const size_t first = i;
    for (; i < lines.size(); ++i) {
      out.emplace_back((int)i + 1, lines[i]);
      if (trimmed(lines[i]).find("\"\"\"", i == first ? 3 : 0) != std::string::npos)
        break;  // closing quotes
    }
    return out;
  }
  for (; i < lines.size() && is_comment(lines[i], syntax); ++i)
    out.emplace_back((int)i + 1, lines[i]);
  return out;
}

// [SECTION] Which words are repository paths

// A repository path starts at a top-level folder of the project and is not the tail of a
// longer path or word (so `../other/x`, `sl_nn/x` and URLs do not count). It may hold globs
// (`core/ops_*`) and placeholders (`apps/cmd_<name>.cpp`, read as `apps/cmd_*.cpp`), and may
// leave out the extension (`core/autograd` names core/autograd.cpp).
bool is_name_char(char c) {
  return std::isalnum((unsigned char)c) || c == '_' || c == '.' || c == '/' || c == '-';
}
bool is_path_char(char c) { return is_name_char(c) || c == '*'; }

std::vector<std::string> repo_paths_in(const std::string& text) {
  static const std::string kTop[] = {"core/",  "nn/",      "viz/",  "apps/",   "lessons/",
                                     "tests/", "scripts/", "docs/", "assets/", ".ci/"};
  std::vector<std::string> paths;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && is_name_char(text[i - 1])) continue;  // inside a longer word or path
    const std::string* top = nullptr;
    for (const std::string& t : kTop)
      if (text.compare(i, t.size(), t) == 0) top = &t;
    if (!top) continue;
    std::string p = *top;
    size_t j = i + top->size();
    while (j < text.size()) {
      if (is_path_char(text[j])) {
        p += text[j++];
      } else if (text[j] == '<') {  // a placeholder such as <name> stands for any name
        size_t k = j + 1;
        while (k < text.size() && (std::isalpha((unsigned char)text[k]) || text[k] == '_')) ++k;
        if (k == j + 1 || k == text.size() || text[k] != '>') break;
        p += '*';
        j = k + 1;
      } else {
        break;
      }
    }
    while (!p.empty() && (p.back() == '.' || p.back() == '-')) p.pop_back();  // end of a sentence
    paths.push_back(p);
    i = j;
  }
  return paths;
}

// `*` matches any run of characters within one name.
bool glob_match(const char* pattern, const char* name) {
  if (*pattern == '\0') return *name == '\0';
  if (*pattern == '*')
    return glob_match(pattern + 1, name) || (*name != '\0' && glob_match(pattern, name + 1));
  return *pattern == *name && glob_match(pattern + 1, name + 1);
}

// Does some path under `dir` match names[i..]? A folder name must name a folder; the last
// name may also match with an extension added.
bool matches_under(const fs::path& dir, const std::vector<std::string>& names, size_t i) {
  if (i == names.size()) return true;
  const bool last = i + 1 == names.size();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const bool hit = glob_match(names[i].c_str(), name.c_str()) ||
                     (last && glob_match((names[i] + ".*").c_str(), name.c_str()));
    if (hit && (last || e.is_directory()) && matches_under(e.path(), names, i + 1)) return true;
  }
  return false;
}

// True when the path names a file or folder of the project (through its globs, if any).
bool repo_path_exists(const std::string& rel) {
  std::vector<std::string> names;
  std::stringstream ss(rel);
  for (std::string name; std::getline(ss, name, '/');)
    if (!name.empty()) names.push_back(name);
  return !names.empty() && matches_under(kRoot, names, 0);
}

// [SECTION] Which words point outside the clone

// The folder beside the development clone (specs, data) is not shipped: a user who clones
// the project alone does not have it. Spelled in two parts so that this file passes itself.
const std::string kOutside[] = {std::string("../") + "shared", std::string("shared") + "/spec",
                                std::string("shared") + "/data"};

// Code (not comments) that may name that folder: the tests' lookup of the real CIFAR-10,
// which the development and CI machines keep there (tests run and skip without it).
// .ci/run is the CI machine's configuration: it tells the tests where that machine keeps
// CIFAR-10 (SHUFFLELAB_DATA). Project code itself never looks outside the repository.
const char* const kOutsideAllowedInCode[] = {".ci/run"};

bool outside_allowed(const fs::path& rel, const std::string& line) {
  const Syntax syntax = syntax_of(rel);
  if (syntax == Syntax::markdown || is_comment(line, syntax)) return false;
  return std::find(std::begin(kOutsideAllowedInCode), std::end(kOutsideAllowedInCode),
                   rel.generic_string()) != std::end(kOutsideAllowedInCode);
}

// [SECTION] Which words are names in the code

// A name a Markdown file cites in backticks, as code: `snake_case`, `ns::name` or `name()`,
// at least one underscore or "::" (so plain words in backticks are not taken for code),
// some lower case (so OMP_WAIT_POLICY and other variables are left out). Returns the last
// component ("sl::cpu::gemm" -> "gemm"), or "" for anything else.
std::string cited_name(std::string t) {
  if (t.size() > 2 && t.compare(t.size() - 2, 2, "()") == 0) t.resize(t.size() - 2);
  if (t.empty() || std::isdigit((unsigned char)t[0]) || t[0] == ':') return "";
  bool lower = false;
  for (char c : t) {
    if (!std::isalnum((unsigned char)c) && c != '_' && c != ':') return "";
    lower = lower || std::islower((unsigned char)c);
  }
  if (!lower || (t.find('_') == std::string::npos && t.find("::") == std::string::npos)) return "";
  const size_t colons = t.rfind("::");
  return colons == std::string::npos ? t : t.substr(colons + 2);
}

// Placeholders the how-to docs use for a name the reader chooses.
bool is_placeholder(const std::string& name) {
  return name.find("NAME") != std::string::npos || name.find("_NN") != std::string::npos ||
         name == "snake_case";
}

bool has_word(const std::string& text, const std::string& word) {
  auto part_of_name = [](char c) { return std::isalnum((unsigned char)c) || c == '_'; };
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1))
    if ((at == 0 || !part_of_name(text[at - 1])) &&
        (at + word.size() == text.size() || !part_of_name(text[at + word.size()])))
      return true;
  return false;
}

}  // namespace

// [SECTION] The checker, on sentences written here

TEST_CASE("docs: repository paths are found in prose, and only those") {
  CHECK(repo_paths_in("see core/tensor.h, nn/models/ and `core/ops_*`.") ==
        std::vector<std::string>{"core/tensor.h", "nn/models/", "core/ops_*"});
  CHECK(repo_paths_in("Read core/autograd.") == std::vector<std::string>{"core/autograd"});
  CHECK(repo_paths_in("build/release/bin/shufflelab OUT/metrics.jsonl sl_nn/x https://x.org/nn/y")
            .empty());
  CHECK(repo_paths_in("../other/core/cli.md and ./core/x").empty());
  CHECK(repo_paths_in(".ci/run") == std::vector<std::string>{".ci/run"});
  CHECK(repo_paths_in("(apps/cmd_<name>.cpp)") == std::vector<std::string>{"apps/cmd_*.cpp"});
  CHECK(repo_paths_in("**nn/layers.h** a<b> tests/x<y z>") ==
        std::vector<std::string>{"nn/layers.h**", "tests/x"});
}

TEST_CASE("docs: a named path exists, as a file, a folder, a glob or without its extension") {
  CHECK(repo_path_exists("core/tensor.h"));
  CHECK(repo_path_exists("core/cpu/"));
  CHECK(repo_path_exists("core/ops_*"));
  CHECK(repo_path_exists("core/autograd"));
  CHECK(repo_path_exists("tests/*/test_*.cpp"));
  CHECK_FALSE(repo_path_exists("core/ops_conv2d.cpp"));
  CHECK_FALSE(repo_path_exists("core/ops_zz*"));
  CHECK_FALSE(repo_path_exists("nn/no_such_folder/"));
  CHECK_FALSE(repo_path_exists("core/tensor.h/x"));
}

// [SECTION] The checker, on the project

TEST_CASE("docs: every repository path named in the docs and file headers exists") {
  int files = 0, named = 0;
  std::vector<std::string> missing;
  for (const fs::path& rel : project_files()) {
    if (syntax_of(rel) == Syntax::other) continue;
    ++files;
    for (const auto& [n, line] : words_of(rel))
      for (const std::string& p : repo_paths_in(line)) {
        ++named;
        if (!repo_path_exists(p))
          missing.push_back(rel.generic_string() + ":" + std::to_string(n) + ": names " + p +
                            ", which does not exist");
      }
  }
  for (const std::string& m : missing) FAIL_CHECK(m);
  MESSAGE(files << " files read, " << named << " repository paths checked");
  CHECK(files > 50);  // the walk found the project, so an empty result means something
  CHECK(named > 100);
  CHECK(missing.empty());
}

TEST_CASE("docs: every function or type a Markdown file cites in backticks is in the code") {
  std::string code;  // every file of the project that is not Markdown, one after another
  for (const fs::path& rel : project_files())
    if (syntax_of(rel) != Syntax::markdown)
      for (const std::string& line : read_lines(rel)) code += line + "\n";
  REQUIRE(has_word(code, "conv2d_1x1_forward"));  // the walk found the code
  CHECK(cited_name("sl::cpu::gemm") == "gemm");
  CHECK(cited_name("reduce_units()") == "reduce_units");
  CHECK(cited_name("OMP_WAIT_POLICY").empty());
  CHECK(cited_name("--limit-train").empty());
  CHECK_FALSE(has_word("conv2d_1x1_forward_x", "conv2d_1x1_forward"));
  int cited = 0;
  std::vector<std::string> missing;
  for (const fs::path& rel : project_files()) {
    if (syntax_of(rel) != Syntax::markdown) continue;
    for (const auto& [n, line] : words_of(rel))
      for (size_t open = line.find('`'); open != std::string::npos;) {
        const size_t close = line.find('`', open + 1);
        if (close == std::string::npos) break;
        const std::string name = cited_name(line.substr(open + 1, close - open - 1));
        open = line.find('`', close + 1);
        if (name.empty() || is_placeholder(name)) continue;
        ++cited;
        if (!has_word(code, name))
          missing.push_back(rel.generic_string() + ":" + std::to_string(n) + ": cites `" + name +
                            "`, which no source file defines or uses (renamed or moved?)");
      }
  }
  for (const std::string& m : missing) FAIL_CHECK(m);
  MESSAGE(cited << " cited names checked");
  CHECK(cited > 200);
  CHECK(missing.empty());
}

TEST_CASE("docs: every relative link in a Markdown file leads to a file of the project") {
  int links = 0;
  std::vector<std::string> broken;
  for (const fs::path& rel : project_files()) {
    if (syntax_of(rel) != Syntax::markdown) continue;
    for (const auto& [n, line] : words_of(rel))
      for (size_t at = line.find("]("); at != std::string::npos;
           at = line.find("](", at + 2)) {  // [text](target)
        const size_t end = line.find_first_of(") ", at + 2);
        if (end == std::string::npos) continue;
        const std::string written = line.substr(at + 2, end - at - 2);
        std::string target = written;
        if (target.empty() || target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0 ||
            target[0] == '#')
          continue;
        target = target.substr(0, target.find('#'));
        ++links;
        const fs::path inside = (rel.parent_path() / target).lexically_normal();
        if (inside.empty() || *inside.begin() == ".." || !fs::exists(kRoot / inside))
          broken.push_back(rel.generic_string() + ":" + std::to_string(n) + ": links to " +
                           written + ", which is not a file of the project");
      }
  }
  for (const std::string& b : broken) FAIL_CHECK(b);
  CHECK(links > 0);
  CHECK(broken.empty());
}

TEST_CASE("docs: no file names the folder beside the clone") {
  std::vector<std::string> found;
  for (const fs::path& rel : project_files()) {
    const std::vector<std::string> lines = read_lines(rel);
    for (size_t i = 0; i < lines.size(); ++i)
      for (const std::string& s : kOutside)
        if (lines[i].find(s) != std::string::npos && !outside_allowed(rel, lines[i]))
          found.push_back(rel.generic_string() + ":" + std::to_string(i + 1) + ": names " + s +
                          " (users clone the project alone; point at docs/ instead)");
  }
  for (const std::string& f : found) FAIL_CHECK(f);
  CHECK(found.empty());
}
