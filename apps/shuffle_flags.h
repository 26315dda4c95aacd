// apps/shuffle_flags.h - the flags that pick a channel-shuffle example, shared by
// `shufflelab shuffle` and `shufflelab gui` (its Shuffle panel): --shape NxCxHxW, or
// --batch, --channels, --height, --width one at a time, and --groups. Unset sizes keep
// the article's example (sl::ShuffleExample in nn/shuffle_trace.h). Not here: each
// command's own limits on the sizes (the command checks them).
#pragma once
#include <vector>

#include "apps/cli.h"
#include "nn/shuffle_trace.h"

namespace sl::cli {

std::vector<FlagSpec> shuffle_shape_flags();
// Throws sl::UsageError when --shape is malformed, disagrees with a single-size flag,
// a size is below 1, or G does not divide C.
ShuffleExample read_shuffle_shape(const Flags& f, const char* command);

}  // namespace sl::cli
