// Registration of the models built on the batched linear learners: br, cc, ecc.
#include "models/binary_relevance.hpp"
#include "models/classifier_chain.hpp"
#include "models/registry.hpp"

namespace lg::models {

void register_linear_models() {
  register_model<BinaryRelevance>(
      "br", "binary relevance: one L2 logistic regression / linear SVM per label, batched");
  register_model<ClassifierChain>(
      "cc", "classifier chain: links see the previous labels; order given|random|frequency|mst");
  register_model<EnsembleClassifierChains>(
      "ecc", "ensemble of m classifier chains with random orders (optional bagging), averaged");
}

}  // namespace lg::models
