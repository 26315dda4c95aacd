// nn/safetensors.h - weight files in the safetensors format: 8-byte little-endian header
// length, a JSON header {"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {..}},
// then raw little-endian data. F32 and I64 (BatchNorm's num_batches_tracked) are read and
// written; anything malformed is refused with an sl::Error naming the key or byte offset,
// before any model tensor is touched. Also the one atomic file writer every file that
// matters goes through (checkpoints, metrics, logits, PNGs). Not here: the JSON reader (nn/json.h).
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
// Refuses, naming the path, a directory, a device or pipe (/dev/zero), and a file larger
// than kMaxSafetensorsFile before allocating anything.
constexpr uint64_t kMaxSafetensorsFile = 16ull << 30;  // 16 GiB, far above any ShuffleNet
SafetensorsFile safetensors_read(const std::string& path);

// "" when every value is finite, else "'NAME' holds K NaN/Inf values of N" for the first
// tensor that is not: what a diverged run leaves behind.
std::string first_non_finite(const StateDict& tensors);

// Header keys follow the StateDict's order; the header is padded with spaces to 8 bytes.
std::vector<uint8_t> safetensors_serialize(const StateDict& tensors, const Metadata& metadata = {});
// Atomic (write_file_atomic below).
void safetensors_write(const std::string& path, const StateDict& tensors,
                       const Metadata& metadata = {});

// A model's state_dict to and from a file. load_weights is all-or-nothing: a missing, extra
// or mis-shaped tensor, or a NaN/Inf value, throws naming the first offending key and
// leaves the model as it was.
void save_weights(const Module& model, const std::string& path, const Metadata& metadata = {});
void load_weights(Module& model, const std::string& path);

// [SECTION] files written atomically
// Writes PATH.tmp, fsyncs it, renames it over PATH and fsyncs the folder: a crash or a
// power cut at any point leaves either the old PATH or the complete new one, never a torn
// file. Every step is checked; an error names the file and the system's reason
// ("Permission denied", "No space left on device") and removes PATH.tmp.
void write_file_atomic(const std::string& path, std::span<const uint8_t> bytes);

// Test hook for the steps above. With SHUFFLELAB_FAULT=ACTION:STEP:FILE[:N] in the
// environment, the N-th time (default 1) this process reaches STEP (write, fsync or
// rename) for a file named FILE (a base name, e.g. last.state.safetensors), ACTION happens
// instead: `kill` sends SIGKILL to the process (a crash), `fail` throws the error a full
// disk would. tests/nn/test_train_faults.cpp drives every save step through it.
void fault_point(const char* step, const std::string& path);

}  // namespace sl
