// tests/nn/fuzz_safetensors.cpp - libFuzzer target for nn/safetensors (and nn/json under
// it): any byte string must either parse or throw sl::Error, never crash, hang or read
// out of bounds (ASan/UBSan watch), and whatever parses must round-trip through
// safetensors_serialize unchanged. Built only with -DSHUFFLELAB_FUZZ=ON and clang.
//   build/fuzz/bin/fuzz_safetensors -max_total_time=20 CORPUS_DIR
// writes a small seed corpus into CORPUS_DIR first when that directory is empty.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nn/safetensors.h"

namespace {

std::vector<uint8_t> with_header(const std::string& header, size_t data_bytes) {
  std::vector<uint8_t> out(8 + header.size() + data_bytes, 0);
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  for (size_t i = 0; i < data_bytes; ++i) out[8 + header.size() + i] = (uint8_t)(i * 37 + 1);
  return out;
}

void write_seeds(const std::filesystem::path& dir) {
  using sl::DType;
  std::vector<std::vector<uint8_t>> seeds;
  seeds.push_back(sl::safetensors_serialize(
      {{"conv1.0.weight", sl::Tensor::from_data({1, 2, 3, 4, 5, 6}, {1, 1, 2, 3}), DType::f32},
       {"conv1.1.num_batches_tracked", sl::scalar(7.f), DType::i64},
       {"fc.bias", sl::Tensor::from_data({0.5f, -0.5f}, {2}), DType::f32}},
      {{"model", "v2-0.5"}, {"note", "seed \"quoted\" \\u00e9"}}));
  seeds.push_back(sl::safetensors_serialize({}));
  seeds.push_back(with_header(R"({"a":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},)"
                              R"("b":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}})",
                              16));
  seeds.push_back(with_header(R"({"x":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}})", 2));
  seeds.push_back(with_header(
      R"({"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]}})", 8));
  for (size_t i = 0; i < seeds.size(); ++i) {
    std::ofstream f(dir / ("seed" + std::to_string(i)), std::ios::binary);
    f.write(reinterpret_cast<const char*>(seeds[i].data()), (std::streamsize)seeds[i].size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  for (int i = 1; i < *argc; ++i) {
    const char* a = (*argv)[i];
    if (a[0] == '-') continue;
    const std::filesystem::path dir(a);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (!ec && std::filesystem::is_directory(dir) && std::filesystem::is_empty(dir))
      write_seeds(dir);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sl::SafetensorsFile f;
  try {
    f = sl::safetensors_parse({data, size});
  } catch (const sl::Error&) {
    return 0;  // refused cleanly: the expected outcome for most inputs
  }
  // Accepted: writing it again and reading that back must give the same tensors.
  const std::vector<uint8_t> again = sl::safetensors_serialize(f.tensors, f.metadata);
  const sl::SafetensorsFile g = sl::safetensors_parse(again);
  if (g.tensors.size() != f.tensors.size() || g.metadata != f.metadata) __builtin_trap();
  for (size_t i = 0; i < f.tensors.size(); ++i) {
    const std::vector<float> a = f.tensors[i].tensor.to_vector(),
                             b = g.tensors[i].tensor.to_vector();
    if (f.tensors[i].name != g.tensors[i].name || f.tensors[i].dtype != g.tensors[i].dtype ||
        f.tensors[i].tensor.shape() != g.tensors[i].tensor.shape() || a.size() != b.size() ||
        (!a.empty() && std::memcmp(a.data(), b.data(), a.size() * 4) != 0))
      __builtin_trap();
  }
  return 0;
}
