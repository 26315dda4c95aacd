// tests/nn/test_nn_safetensors.cpp - nn/json and nn/safetensors: bit-exact round trips,
// the exact bytes of a small file, atomic writes, and refusals (truncated, corrupt,
// overlapping, missing/extra/mis-shaped keys) that name the key or byte offset and never
// touch the model. The fuzz target tests/nn/fuzz_safetensors.cpp covers the rest.
#include <cstring>
#include <filesystem>
#include <fstream>

#include "nn/json.h"
#include "nn/layers.h"
#include "nn/models/models.h"
#include "nn/safetensors.h"
#include "tests/helpers.h"

using sl::test::error_of;

using namespace sl;

namespace {

// Builds a file image from a header text and raw data bytes.
std::vector<uint8_t> image(const std::string& header, const std::vector<uint8_t>& data = {}) {
  const uint64_t n = header.size();
  std::vector<uint8_t> out(8 + header.size() + data.size());
  std::memcpy(out.data(), &n, 8);
  for (size_t i = 0; i < header.size(); ++i) out[8 + i] = (uint8_t)header[i];
  for (size_t i = 0; i < data.size(); ++i) out[8 + header.size() + i] = data[i];
  return out;
}

std::string parse_error(const std::vector<uint8_t>& bytes) {
  return error_of([&] { safetensors_parse(bytes); });
}

std::string tmp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("sl_test_" + name)).string();
}

}  // namespace

TEST_CASE("json: strict parsing with byte offsets") {
  JsonValue v = json_parse(R"( {"a": [1, -2.5e3, "x\u00e9\n"], "b": {"c": null, "d": true}} )");
  REQUIRE(v.kind == JsonValue::Kind::object);
  CHECK(v.find("a")->items[1].text == "-2.5e3");
  CHECK(v.find("a")->items[2].text == "x\xc3\xa9\n");
  CHECK(v.find("b")->find("d")->boolean);
  CHECK(v.find("a")->items[0].as_index("n") == 1);
  for (const char* bad : {"{\"a\":1,}", "[1 2]", "{\"a\":01}", "\"\\x\"", "{\"a\":1}{", "[NaN]",
                          "{\"a\":1,\"a\":2}", "\"\xff\"", "\"\\ud800\"", "[1.]", "{'a':1}", ""})
    CHECK_THROWS_AS(json_parse(bad), Error);
  CHECK(error_of([] { json_parse("{\"a\": tru}"); }) == "json: invalid literal at byte 6");
  CHECK(error_of([] { json_parse(std::string(100, '[')); }).find("nesting deeper than 64") !=
        std::string::npos);
  CHECK(json_quote("a\"b\\\n\x01") == "\"a\\\"b\\\\\\n\\u0001\"");
}

TEST_CASE("safetensors: the exact bytes of a small file, and reading them back") {
  StateDict sd = {{"w", Tensor::from_data({1.f, -2.f}, {2}), DType::f32},
                  {"n", scalar(3.f), DType::i64}};
  const std::vector<uint8_t> bytes = safetensors_serialize(sd, {{"format", "pt"}});
  const std::string header =
      R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("n":{"dtype":"I64","shape":[],"data_offsets":[8,16]}})";
  uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  CHECK(n % 8 == 0);
  CHECK(std::string(bytes.begin() + 8, bytes.begin() + 8 + (long)header.size()) == header);
  CHECK(bytes.size() == 8 + n + 16);
  int64_t three;
  std::memcpy(&three, bytes.data() + 8 + n + 8, 8);
  CHECK(three == 3);
  SafetensorsFile f = safetensors_parse(bytes);
  REQUIRE(f.tensors.size() == 2);
  CHECK(f.tensors[1].name == "n");
  CHECK(f.tensors[1].dtype == DType::i64);
  CHECK(f.tensors[1].tensor.dim() == 0);
  CHECK(f.tensors[1].tensor.item() == 3.f);
  CHECK(f.metadata == Metadata{{"format", "pt"}});
}

TEST_CASE("safetensors: a whole model round-trips bit for bit, through an atomic write") {
  auto a = make_model("v1-g3-0.5", "cifar", 10, 1);
  auto b = make_model("v1-g3-0.5", "cifar", 10, 2);
  const std::string path = tmp_path("roundtrip.safetensors");
  save_weights(*a, path, {{"model", "v1-g3-0.5"}});
  CHECK(!std::filesystem::exists(path + ".tmp"));
  load_weights(*b, path);
  const StateDict sa = a->state_dict(), sb = b->state_dict();
  REQUIRE(sa.size() == sb.size());
  for (size_t i = 0; i < sa.size(); ++i) {
    const auto va = sa[i].tensor.to_vector(), vb = sb[i].tensor.to_vector();
    CHECK(std::memcmp(va.data(), vb.data(), va.size() * 4) == 0);
  }
  // the file a model writes is byte-identical when written again
  std::ifstream f1(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f1)),
                             std::istreambuf_iterator<char>());
  CHECK(bytes == safetensors_serialize(sb, {{"model", "v1-g3-0.5"}}));
  std::filesystem::remove(path);
}

TEST_CASE("safetensors: corrupt and truncated files are refused with the key or byte offset") {
  const std::vector<uint8_t> four(4, 0);
  const std::string ok = R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  CHECK_NOTHROW(safetensors_parse(image(ok, four)));
  CHECK(parse_error({1, 2, 3}).find("shorter than the 8-byte header length") != std::string::npos);
  std::vector<uint8_t> truncated = image(ok, four);
  truncated.resize(truncated.size() - 2);
  CHECK(parse_error(truncated).find("key 'w': data_offsets [0, 4] do not fit the 2 data bytes") !=
        std::string::npos);
  std::vector<uint8_t> huge = image(ok, four);
  huge[7] = 0x7f;
  CHECK(parse_error(huge).find("header length") != std::string::npos);
  CHECK(parse_error(image(ok.substr(0, 20))).find("at byte") != std::string::npos);
  CHECK(parse_error(image(R"({"w":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}})", {0, 0}))
            .find("dtype F16 is not supported") != std::string::npos);
  CHECK(parse_error(image(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", four))
            .find("key 'w': shape (2) of F32 needs 8 bytes") != std::string::npos);
  CHECK(parse_error(image(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", four))
            .find("non-negative integer") != std::string::npos);
  CHECK(parse_error(image(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}})", four))
            .find("unknown field 'x'") != std::string::npos);
  CHECK(
      parse_error(
          image(
              R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
              four))
          .find("overlap") != std::string::npos);
  CHECK(parse_error(image(ok, std::vector<uint8_t>(8, 0)))
            .find("cover 4 data bytes but the file has 8") != std::string::npos);
  CHECK(parse_error(image(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                          std::vector<uint8_t>(8, 0)))
            .find("(gap)") != std::string::npos);
  CHECK(parse_error(
            image(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})",
                  four))
            .find("too large") != std::string::npos);
  CHECK(parse_error(image(R"({"__metadata__":{"a":1}})"))
            .find("__metadata__ value 'a' must be a string") != std::string::npos);
  CHECK(error_of([] {
          safetensors_read("/nonexistent/w.safetensors");
        }).find("cannot open weights file") != std::string::npos);
}

TEST_CASE("safetensors: bad weight files never load partially") {
  auto m = make_model("v2-0.5", "cifar", 10, 1);
  const std::vector<float> before = m->state_dict().back().tensor.to_vector();  // fc.bias
  StateDict sd = make_model("v2-0.5", "cifar", 10, 2)->state_dict();
  sd.back().tensor = Tensor::full(sd.back().tensor.shape(), 9.f);
  const std::string path = tmp_path("bad.safetensors");

  StateDict wrong = sd;
  for (auto& e : wrong)
    if (e.name == "stage3.0.branch1.2.weight") e.tensor = Tensor::zeros({48, 24, 1, 1});
  safetensors_write(path, wrong);
  CHECK(error_of([&] { load_weights(*m, path); }) ==
        path + ": load_state_dict: key 'stage3.0.branch1.2.weight' has shape (48,24,1,1) but the "
               "model expects (48,48,1,1)");

  StateDict missing = sd;
  missing.erase(missing.begin() + 3);
  safetensors_write(path, missing);
  CHECK(error_of([&] { load_weights(*m, path); }).find("missing key 'conv1.1.running_mean'") !=
        std::string::npos);

  safetensors_write(path, sd);
  auto wider = make_model("v2-1.0", "cifar", 10, 1);
  CHECK(error_of([&] {
          load_weights(*wider, path);
        }).find("key 'stage2.0.branch1.2.weight' has shape") != std::string::npos);
  CHECK(m->state_dict().back().tensor.to_vector() == before);
  std::filesystem::remove(path);
}
