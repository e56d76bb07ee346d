#pragma once
// ARFF writer, MEKA style (`-C n` in @relation, labels first) or MULAN style (labels last,
// plus a NAME.xml label file), dense or sparse rows. Round-trips with read_arff.
#include <filesystem>
#include <vector>

#include "core/dataset.hpp"

namespace lg {

enum class ArffStyle {
  Meka,   ///< labels are the first L attributes, `@relation 'NAME: -C L'`
  Mulan,  ///< labels are the last L attributes, label names in NAME.xml beside the file
};

struct ArffWriteOptions {
  ArffStyle style = ArffStyle::Meka;  ///< where the labels go and how they are declared
  bool sparse = false;                ///< write `{index value,...}` rows (omitted = 0)
};

/// Write `data` to `path` (through a temporary name, then rename). Mulan style also writes
/// the label XML as path with extension .xml. Returns the files written.
/// Values are written at full float precision so read_arff gives back identical matrices.
std::vector<std::filesystem::path> write_arff(const Dataset& data,
                                              const std::filesystem::path& path,
                                              const ArffWriteOptions& options = {});

}  // namespace lg
