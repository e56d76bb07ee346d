#include "core/context.hpp"

#include <algorithm>
#include <thread>

namespace lg {

int Context::resolved_threads() const {
  if (threads > 0) return threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace lg
