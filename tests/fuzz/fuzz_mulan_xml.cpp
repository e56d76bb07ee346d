// libFuzzer target: MULAN label XML files (io/mulan_xml).
// The input and how it is read: run_mulan_xml in fuzz_cases.hpp.
#include "fuzz/fuzz_cases.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lg::fuzz::InputFile file("labels.xml");
  return lg::fuzz::run_mulan_xml(file, data, size) ? 0 : -1;  // -1: not an input of this target
}
