// Placeholder until the reader lands.
#include "io/arff_reader.hpp"

#include "core/error.hpp"

namespace lg {

Dataset read_arff(const std::filesystem::path& path, const ReadOptions&) {
  throw Error(path.string(), 0, "arff reader not implemented yet");
}

}  // namespace lg
