// Placeholder until the reader lands.
#include "io/libsvm_reader.hpp"

#include "core/error.hpp"

namespace lg {

Dataset read_libsvm(const std::filesystem::path& path, const ReadOptions&) {
  throw Error(path.string(), 0, "libsvm reader not implemented yet");
}

}  // namespace lg
