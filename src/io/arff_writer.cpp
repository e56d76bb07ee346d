// Placeholder until the writer lands.
#include "io/arff_writer.hpp"

#include "core/error.hpp"

namespace lg {

std::vector<std::filesystem::path> write_arff(const Dataset&, const std::filesystem::path& path,
                                              const ArffWriteOptions&) {
  throw Error(path.string(), 0, "ARFF writer not implemented yet");
}

}  // namespace lg
