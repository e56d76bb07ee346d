// libFuzzer target: experiment configs (experiment/config over io/toml_reader).
// The input and how it is read: run_config in fuzz_cases.hpp.
#include "fuzz/fuzz_cases.hpp"

#include <cstdlib>

// The neural models live in the LibTorch plugin, which this target never loads (an explicit
// path is the only one the loader tries): their names are unknown algorithms here.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("LABELGRAPH_NETS_PLUGIN", "/nonexistent/labelgraph-fuzz-no-plugin.so", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lg::fuzz::InputFile file("experiment.toml");
  return lg::fuzz::run_config(file, data, size) ? 0 : -1;  // -1: not an input of this target
}
