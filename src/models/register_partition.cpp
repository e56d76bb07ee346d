// Registration of the label-set and neighbour models: lp, rakel, lp-communities, mlknn.
#include "models/community_powerset.hpp"
#include "models/label_powerset.hpp"
#include "models/mlknn.hpp"
#include "models/rakel.hpp"
#include "models/registry.hpp"

namespace lg::models {

void register_partition_models() {
  register_model<LabelPowerset>(
      "lp", "label powerset: one softmax-regression class per training label set");
  register_model<Rakel>("rakel",
                        "RAkEL: label powerset on random k-label subsets (d: disjoint, o: "
                        "overlapping, votes averaged)");
  register_model<CommunityPowerset>(
      "lp-communities",
      "label powerset per community (Leiden) of the training label co-occurrence graph");
  register_model<MlKnn>("mlknn", "ML-kNN (Zhang & Zhou 2007): k neighbours, MAP per label");
}

}  // namespace lg::models
