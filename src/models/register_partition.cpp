// Registration of the label-set and neighbour models: lp, rakel, lp-communities, mlknn.
#include "models/registry.hpp"

namespace lg::models {

void register_partition_models() {}

}  // namespace lg::models
