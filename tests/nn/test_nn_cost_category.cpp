// tests/nn/test_nn_cost_category.cpp - nn/cost's by_category(): the per-category sums that
// `shufflelab profile` and the Blocks panel print (the V2 paper's Fig. 2 on this machine).
// Not here: the per-layer numbers themselves (tests/nn/test_models*.cpp).
#include <doctest/doctest.h>

#include <set>

#include "nn/cost.h"
#include "nn/models/models.h"

using namespace sl;

TEST_CASE("by_category: every layer counted once, categories in kCategories order, totals kept") {
  for (const char* name : {"v2-0.5", "v1-g3-0.5"}) {
    CAPTURE(name);
    auto model = make_model(name, "cifar");
    const Profile p = profile(*model, name, "cifar");
    const std::vector<CategoryCost> cats = by_category(p);
    int layers = 0;
    int64_t madds = 0, mac = 0;
    std::set<std::string> seen;
    for (const CategoryCost& c : cats) {
      CHECK(c.layers > 0);  // empty categories are left out
      CHECK(seen.insert(c.category).second);
      layers += c.layers, madds += c.madds, mac += c.mac;
    }
    CHECK(layers == (int)p.layers.size());
    CHECK(madds == p.madds);
    CHECK(mac == p.mac);
    // convolutions come first; batchnorm, relu and data movement have 0 MAdds
    REQUIRE(!cats.empty());
    CHECK(cats.front().category == "conv 1x1");
    for (const CategoryCost& c : cats)
      if (c.category == "batchnorm" || c.category == "relu" || c.category == "data movement")
        CHECK(c.madds == 0);
    // V2 moves data (split, concat, shuffle); V1 with g = 3 has grouped 1x1 convs
    if (std::string(name) == "v2-0.5") CHECK(seen.count("data movement") == 1);
    if (std::string(name) == "v1-g3-0.5") CHECK(seen.count("grouped 1x1") == 1);
  }
}
