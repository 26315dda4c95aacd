// tests/nn/test_models_profile_golden.cpp - the per-layer profile of every model of the
// docs/models.md table (name, type, out_shape, params, MAdds, MAC) held to a checked-in
// text file, so that moving the cost hooks cannot change a number anyone sees.
// Regenerate (only on purpose, and say why in the commit):
//   SL_WRITE_GOLDENS=1 build/release/bin/test_models -tc='profile golden*'
// which rewrites assets/goldens/profile_layers.txt from the current code.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "nn/cost.h"
#include "nn/models/models.h"
#include "tests/helpers.h"

using namespace sl;

namespace {

struct Model {
  const char* name;
  const char* variant;
};
// The rows of docs/models.md's "Reference numbers" table.
const Model kModels[] = {
    {"v2-0.5", "cifar"},       {"v2-1.0", "cifar"},       {"v2-1.5", "cifar"},
    {"v2-2.0", "cifar"},       {"v1-g1-1.0", "cifar"},    {"v1-g2-1.0", "cifar"},
    {"v1-g3-0.5", "cifar"},    {"v1-g3-1.0", "cifar"},    {"v1-g4-1.0", "cifar"},
    {"v1-g8-1.0", "cifar"},    {"v1-g8-0.5", "cifar"},    {"v2-0.5", "imagenet"},
    {"v2-1.0", "imagenet"},    {"v2-1.5", "imagenet"},    {"v2-2.0", "imagenet"},
    {"v1-g3-1.0", "imagenet"}, {"v1-g8-1.0", "imagenet"},
};

std::string golden_path() {
  return std::string(SL_SOURCE_DIR) + "/assets/goldens/profile_layers.txt";
}

// One line per layer: "<model> <variant> <name> <type> <out_shape> <params> <madds> <mac>".
std::string profile_text() {
  std::ostringstream os;
  for (const Model& m : kModels) {
    auto model = make_model(m.name, m.variant);
    const Profile p = profile(*model, m.name, m.variant);
    for (const LayerCost& l : p.layers)
      os << m.name << ' ' << m.variant << ' ' << l.name << ' ' << l.type << ' '
         << shape_str(l.out_shape) << ' ' << l.params << ' ' << l.madds << ' ' << l.mac << '\n';
  }
  return os.str();
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream is(s);
  for (std::string line; std::getline(is, line);)
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("profile golden: every layer of every model in the table, unchanged") {
  const std::string got = profile_text();
  if (std::getenv("SL_WRITE_GOLDENS")) {
    const std::string tmp = golden_path() + ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary);
      f << "# assets/goldens/profile_layers.txt - per-layer profile of every model of "
           "docs/models.md:\n"
        << "# model variant layer type out_shape params madds mac. Written by\n"
        << "# SL_WRITE_GOLDENS=1 build/release/bin/test_models -tc='profile golden*'\n"
        << got;
      REQUIRE(f.good());
    }
    REQUIRE(std::rename(tmp.c_str(), golden_path().c_str()) == 0);
    MESSAGE("wrote ", golden_path());
  }
  std::ifstream f(golden_path(), std::ios::binary);
  REQUIRE_MESSAGE(f.good(), "cannot read ", golden_path());
  std::stringstream want;
  want << f.rdbuf();
  const std::vector<std::string> a = lines_of(got), b = lines_of(want.str());
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i] != b[i]) {
      FAIL_CHECK("line ", i + 1, " of the profile differs:\n  got  ", a[i], "\n  want ", b[i]);
      break;
    }
  }
  CHECK(a.size() == b.size());
  CHECK(b.size() > 2000);  // 17 models, about 150-250 layers each
}
