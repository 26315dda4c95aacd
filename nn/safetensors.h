// nn/safetensors.h - weight files in the safetensors format: 8-byte little-endian header
// length, a JSON header {"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {..}},
// then raw little-endian data. F32 and I64 (BatchNorm's num_batches_tracked) are read and
// written; anything malformed is refused with an sl::Error naming the key or byte offset,
// before any model tensor is touched. Not here: the JSON reader (nn/json.h).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.h"

namespace sl {

using Metadata = std::vector<std::pair<std::string, std::string>>;  // "__metadata__", in order

struct SafetensorsFile {
  StateDict tensors;  // in data order, CPU float32 (I64 values converted exactly up to 2^24)
  Metadata metadata;
};

// Validates the whole image (header, every entry, offsets covering the data exactly, no
// overlaps) and only then converts. Never reads out of bounds.
SafetensorsFile safetensors_parse(std::span<const uint8_t> bytes);
SafetensorsFile safetensors_read(const std::string& path);

// Header keys follow the StateDict's order; the header is padded with spaces to 8 bytes.
std::vector<uint8_t> safetensors_serialize(const StateDict& tensors, const Metadata& metadata = {});
// Atomic: writes PATH.tmp, then renames it over PATH.
void safetensors_write(const std::string& path, const StateDict& tensors, const Metadata& metadata = {});

// A model's state_dict to and from a file. load_weights is all-or-nothing: a missing, extra
// or mis-shaped tensor throws naming the first offending key and leaves the model as it was.
void save_weights(const Module& model, const std::string& path, const Metadata& metadata = {});
void load_weights(Module& model, const std::string& path);

}  // namespace sl
