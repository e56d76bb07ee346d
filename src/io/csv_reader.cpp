// Placeholder until the reader lands.
#include "io/csv_reader.hpp"

#include "core/error.hpp"

namespace lg {

Dataset read_csv(const std::filesystem::path& path, const ReadOptions&) {
  throw Error(path.string(), 0, "csv reader not implemented yet");
}

}  // namespace lg
