// Registration of the models built on the batched linear learners: br, cc, ecc.
#include "models/registry.hpp"

namespace lg::models {

void register_linear_models() {}

}  // namespace lg::models
