// nn/safetensors.cpp - parse (validate everything, then convert), serialize, atomic write
// (with its fault-injection hook for tests).
// Layout of a file: [u64 LE n][n bytes of JSON header][data], offsets relative to data.
// [SECTION] index: helpers | parse | serialize and write | files written atomically | model weights
#include "nn/safetensors.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "nn/json.h"

namespace sl {

static_assert(std::endian::native == std::endian::little,
              "safetensors io assumes a little-endian host");

// [SECTION] helpers

namespace {

constexpr uint64_t kMaxHeader = 100u << 20;  // the reference implementation's limit

struct Entry {  // one validated header entry
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

size_t dtype_size(DType d) { return d == DType::i64 ? 8 : 4; }

DType parse_dtype(const std::string& key, const JsonValue& v) {
  SL_CHECK(v.kind == JsonValue::Kind::string, "safetensors: key '", key,
           "': dtype must be a string (byte ", v.offset, ")");
  if (v.text == "F32") return DType::f32;
  if (v.text == "I64") return DType::i64;
  throw Error(str_cat("safetensors: key '", key, "': dtype ", v.text,
                      " is not supported (only F32 and I64); ", "convert the file to float32"));
}

Entry parse_entry(const std::string& key, const JsonValue& v, uint64_t data_size) {
  SL_CHECK(v.kind == JsonValue::Kind::object, "safetensors: key '", key,
           "' must map to an object (byte ", v.offset, ")");
  for (auto& [k, mv] : v.members)
    SL_CHECK(k == "dtype" || k == "shape" || k == "data_offsets", "safetensors: key '", key,
             "': unknown field '", k, "' (byte ", mv.offset, ")");
  const JsonValue* dt = v.find("dtype");
  const JsonValue* sh = v.find("shape");
  const JsonValue* off = v.find("data_offsets");
  SL_CHECK(dt && sh && off, "safetensors: key '", key,
           "' needs dtype, shape and data_offsets (byte ", v.offset, ")");
  Entry e{key, parse_dtype(key, *dt), {}, 0, 0};
  SL_CHECK(sh->kind == JsonValue::Kind::array && sh->items.size() <= kMaxDims, "safetensors: key '",
           key, "': shape must be an array of at most ", kMaxDims, " sizes (byte ", sh->offset,
           ")");
  // numel, and the product of the non-zero sizes (what strides reach), stay below 2^56.
  uint64_t numel = 1, nonzero = 1;
  for (const JsonValue& d : sh->items) {
    const auto n = (uint64_t)d.as_index("a shape size");
    e.shape.push_back((int64_t)n);
    if (n == 0) {
      numel = 0;
      continue;
    }
    SL_CHECK(nonzero <= ((uint64_t)1 << 56) / n, "safetensors: key '", key,
             "': shape is too large (byte ", sh->offset, ")");
    nonzero *= n;
    numel *= n;
  }
  SL_CHECK(off->kind == JsonValue::Kind::array && off->items.size() == 2, "safetensors: key '", key,
           "': data_offsets must be [begin, end] (byte ", off->offset, ")");
  e.begin = (uint64_t)off->items[0].as_index("data_offsets");
  e.end = (uint64_t)off->items[1].as_index("data_offsets");
  SL_CHECK(e.begin <= e.end && e.end <= data_size, "safetensors: key '", key, "': data_offsets [",
           e.begin, ", ", e.end, "] do not fit the ", data_size, " data bytes (file truncated?)");
  SL_CHECK(e.end - e.begin == numel * dtype_size(e.dtype), "safetensors: key '", key, "': shape ",
           shape_str(e.shape), " of ", dtype_name(e.dtype), " needs ", numel * dtype_size(e.dtype),
           " bytes but data_offsets give ", e.end - e.begin);
  return e;
}

}  // namespace

// [SECTION] parse

SafetensorsFile safetensors_parse(std::span<const uint8_t> bytes) {
  SL_CHECK(bytes.size() >= 8, "safetensors: file is ", bytes.size(),
           " bytes, shorter than the 8-byte header length");
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  SL_CHECK(n <= kMaxHeader, "safetensors: header length ", n,
           " at byte 0 is larger than 100 MiB (corrupt file?)");
  SL_CHECK(n <= bytes.size() - 8, "safetensors: header length ", n,
           " at byte 0 runs past the end of the ", bytes.size(), "-byte file (truncated?)");
  SL_CHECK(n >= 2 && bytes[8] == '{', "safetensors: the header at byte 8 must be a JSON object");
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + 8), (size_t)n);
  const JsonValue header = json_parse(text, 8);
  SL_CHECK(header.kind == JsonValue::Kind::object,
           "safetensors: the header at byte 8 must be a JSON object");

  const uint64_t data_size = bytes.size() - 8 - n;
  SafetensorsFile out;
  std::vector<Entry> entries;
  for (auto& [key, v] : header.members) {
    if (key == "__metadata__") {
      SL_CHECK(v.kind == JsonValue::Kind::object,
               "safetensors: __metadata__ must be an object (byte ", v.offset, ")");
      for (auto& [mk, mv] : v.members) {
        SL_CHECK(mv.kind == JsonValue::Kind::string, "safetensors: __metadata__ value '", mk,
                 "' must be a string (byte ", mv.offset, ")");
        out.metadata.emplace_back(mk, mv.text);
      }
      continue;
    }
    entries.push_back(parse_entry(key, v, data_size));
  }
  // The data must be covered exactly: sorted by begin, each entry starts where the last ended.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t pos = 0;
  for (const Entry& e : entries) {
    SL_CHECK(e.begin == pos, "safetensors: key '", e.name, "' starts at data byte ", e.begin,
             " but the previous ", "tensor ends at ", pos, e.begin < pos ? " (overlap)" : " (gap)");
    pos = e.end;
  }
  SL_CHECK(pos == data_size, "safetensors: tensors cover ", pos, " data bytes but the file has ",
           data_size, " (file byte ", 8 + n + pos, ")");

  // Everything checked: convert.
  const uint8_t* data = bytes.data() + 8 + n;
  for (const Entry& e : entries) {
    const size_t numel = (size_t)((e.end - e.begin) / dtype_size(e.dtype));
    std::vector<float> values(numel);
    if (e.dtype == DType::f32) {
      if (numel) std::memcpy(values.data(), data + e.begin, numel * 4);
    } else {
      for (size_t i = 0; i < numel; ++i) {
        int64_t v;
        std::memcpy(&v, data + e.begin + 8 * i, 8);
        values[i] = (float)v;
      }
    }
    Tensor t = numel == 0 ? Tensor::zeros(e.shape) : Tensor::from_data(values, e.shape);
    out.tensors.push_back({e.name, t, e.dtype});
  }
  return out;
}

SafetensorsFile safetensors_read(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  SL_CHECK(fs::exists(st), "cannot open weights file '", path,
           "': ", ec ? ec.message() : std::string("No such file or directory"));
  SL_CHECK(!fs::is_directory(st), "weights file '", path,
           "' is a directory; name the .safetensors file inside it",
           " (for a training run: ", (fs::path(path) / "last.safetensors").string(), ")");
  SL_CHECK(fs::is_regular_file(st), "weights file '", path,
           "' is not a regular file (a device or a pipe?); ", "name a .safetensors file");
  const uint64_t size = fs::file_size(path, ec);
  SL_CHECK(!ec, "cannot read the size of weights file '", path, "': ", ec.message());
  SL_CHECK(size <= kMaxSafetensorsFile, "weights file '", path, "' is ", size,
           " bytes, larger than the ", kMaxSafetensorsFile >> 30,
           " GiB a ShuffleNet could need (not a weights file?)");
  std::ifstream f(path, std::ios::binary);
  SL_CHECK(f.good(), "cannot open weights file '", path, "': ", std::strerror(errno));
  std::vector<uint8_t> bytes((size_t)size);
  f.read(reinterpret_cast<char*>(bytes.data()), (std::streamsize)size);
  SL_CHECK((uint64_t)f.gcount() == size, "cannot read weights file '", path, "': got ", f.gcount(),
           " of ", size, " bytes (changed while reading?)");
  try {
    return safetensors_parse(bytes);
  } catch (const Error& e) {
    throw Error(str_cat(path, ": ", e.what()));
  }
}

std::string first_non_finite(const StateDict& tensors) {
  for (const StateEntry& e : tensors) {
    const std::vector<float> v = e.tensor.to_vector();
    const auto bad = std::count_if(v.begin(), v.end(), [](float x) { return !std::isfinite(x); });
    if (bad) return str_cat("'", e.name, "' holds ", bad, " NaN/Inf values of ", v.size());
  }
  return "";
}

// [SECTION] serialize and write

std::vector<uint8_t> safetensors_serialize(const StateDict& tensors, const Metadata& metadata) {
  std::string header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    for (size_t i = 0; i < metadata.size(); ++i)
      header +=
          str_cat(i ? "," : "", json_quote(metadata[i].first), ":", json_quote(metadata[i].second));
    header += "}";
  }
  uint64_t pos = 0;
  for (const StateEntry& e : tensors) {
    SL_CHECK(e.name != "__metadata__" && e.tensor.defined(), "safetensors: cannot write key '",
             e.name, "'");
    const uint64_t bytes = (uint64_t)e.tensor.numel() * dtype_size(e.dtype);
    std::string shape;
    for (size_t d = 0; d < e.tensor.shape().size(); ++d)
      shape += str_cat(d ? "," : "", e.tensor.shape()[d]);
    header += str_cat(header.size() > 1 ? "," : "", json_quote(e.name), ":{\"dtype\":\"",
                      dtype_name(e.dtype), "\",\"shape\":[", shape, "],\"data_offsets\":[", pos,
                      ",", pos + bytes, "]}");
    pos += bytes;
  }
  header += "}";
  while ((8 + header.size()) % 8 != 0) header += ' ';  // data starts 8-byte aligned

  std::vector<uint8_t> out(8 + header.size() + pos);
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  uint8_t* data = out.data() + 8 + header.size();
  for (const StateEntry& e : tensors) {
    const std::vector<float> v = e.tensor.to_vector();  // logical order, from any device
    if (e.dtype == DType::f32) {
      if (!v.empty()) std::memcpy(data, v.data(), v.size() * 4);
      data += v.size() * 4;
    } else {
      for (float x : v) {
        // integers in a float; clamp what int64 cannot hold (NaN -> 0) instead of overflowing
        const int64_t i = !(x == x)      ? 0
                          : x >= 0x1p63f ? INT64_MAX
                          : x < -0x1p63f ? INT64_MIN
                                         : std::llround(x);
        std::memcpy(data, &i, 8);
        data += 8;
      }
    }
  }
  return out;
}

void safetensors_write(const std::string& path, const StateDict& tensors,
                       const Metadata& metadata) {
  write_file_atomic(path, safetensors_serialize(tensors, metadata));
}

// [SECTION] files written atomically

void fault_point(const char* step, const std::string& path) {
  const char* env = std::getenv("SHUFFLELAB_FAULT");
  if (!env || !*env) return;
  // ACTION:STEP:FILE[:N]; the count restarts whenever the variable changes.
  static std::string seen_env;
  static int64_t hits = 0;
  if (seen_env != env) {
    seen_env = env;
    hits = 0;
  }
  std::string spec = env, action, want_step, file;
  int64_t nth = 1;
  const size_t a = spec.find(':'), b = a == std::string::npos ? a : spec.find(':', a + 1);
  if (b == std::string::npos) return;
  action = spec.substr(0, a);
  want_step = spec.substr(a + 1, b - a - 1);
  file = spec.substr(b + 1);
  if (const size_t c = file.find(':'); c != std::string::npos) {
    nth = std::atoll(file.c_str() + c + 1);
    file.resize(c);
  }
  if (want_step != step || std::filesystem::path(path).filename() != file) return;
  if (++hits != nth) return;
  if (action == "kill") {
    std::fprintf(stderr, "SHUFFLELAB_FAULT: killing the process at %s of %s\n", step, path.c_str());
    std::fflush(stderr);
    ::kill(::getpid(), SIGKILL);
  }
  if (action == "fail")
    throw Error(str_cat("cannot ", step, " '", path,
                        "': No space left on device (injected by SHUFFLELAB_FAULT)"));
}

void write_file_atomic(const std::string& path, std::span<const uint8_t> bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    SL_CHECK(!std::filesystem::exists(st) || std::filesystem::is_regular_file(st), "cannot write '",
             path, "': it is ",
             std::filesystem::is_directory(st) ? "a directory" : "not a regular file (a device?)",
             "; name a file");
  }
  int fd = -1;
  // Closes what is open, removes PATH.tmp, and throws with the system's reason.
  auto fail = [&](const char* what) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    std::remove(tmp.c_str());
    throw Error(str_cat("cannot ", what, " '", tmp, "': ", why));
  };
  auto fault = [&](const char* step) {
    try {
      fault_point(step, path);
    } catch (const Error&) {
      if (fd >= 0) ::close(fd);
      std::remove(tmp.c_str());
      throw;
    }
  };
  fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("create");
  fault("write");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = ENOSPC;
    if (n <= 0) fail("write");
    done += (size_t)n;
  }
  fault("fsync");
  if (::fsync(fd) != 0) fail("write (fsync)");
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) fail("write (close)");
  fault("rename");
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw Error(str_cat("cannot rename '", tmp, "' to '", path, "': ", why));
  }
  // The rename is durable once the folder's entry is on disk.
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    (void)::fsync(dfd);  // some file systems refuse fsync on a folder; the rename itself is done
    ::close(dfd);
  }
}

// [SECTION] model weights

void save_weights(const Module& model, const std::string& path, const Metadata& metadata) {
  safetensors_write(path, model.state_dict(), metadata);
}

void load_weights(Module& model, const std::string& path) {
  const SafetensorsFile f = safetensors_read(path);
  const std::string bad = first_non_finite(f.tensors);
  SL_CHECK(bad.empty(), path, ": ", bad,
           "; these weights come from a diverged run and would give meaningless ",
           "outputs (retrain with a lower --lr)");
  try {
    model.load_state_dict(f.tensors);
  } catch (const Error& e) {
    throw Error(str_cat(path, ": ", e.what()));
  }
}

}  // namespace sl
