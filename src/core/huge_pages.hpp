#pragma once
// Reading a large file touches a lot of fresh memory, and on some machines page faults cost
// more than parsing (a VM faults 4 KiB pages in at ~300 MB/s, bench/README.md). Asking for
// transparent huge pages on a big array, before it is first written, avoids most faults.
#include <cstddef>
#include <cstdint>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace lg {

/// A hint only: the 2 MiB-aligned part of [data, data + bytes) may be backed by huge pages.
inline void advise_huge_pages(const void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto address = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t begin = (address + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t end = (address + bytes) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace lg
