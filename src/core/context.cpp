#include "core/context.hpp"

#include "core/parallel.hpp"

namespace lg {

int Context::resolved_threads() const { return resolve_threads(threads); }

}  // namespace lg
