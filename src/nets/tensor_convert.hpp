#pragma once
// The one place where Eigen matrices and LibTorch tensors meet (see core/layout.hpp).
// Only forward declarations of torch types here, so callers outside src/nets never
// compile a torch header.
#include <string>

#include "core/context.hpp"
#include "core/layout.hpp"

namespace at {
class Tensor;
}

namespace lg::nets {

/// Copy a row-major float matrix into a new N x D float32 CPU tensor.
at::Tensor to_tensor(const DenseFeatures& m);
/// Copy a double matrix (e.g. a label graph, standardisation statistics) into a new float32
/// CPU tensor of the same shape.
at::Tensor to_tensor_f(const Eigen::MatrixXd& m);
/// Copy a 0/1 label matrix into a new N x L float32 CPU tensor (targets for BCE losses).
at::Tensor labels_to_tensor(const LabelMatrix& y);
/// Copy a 2-D tensor (any device, any floating dtype) back into a row-major float matrix.
ScoreMatrix to_matrix(const at::Tensor& t);

/// Set LibTorch's intra-op thread count from the Context (LibTorch starts with 1 here).
void configure_torch(const Context& ctx);

/// "1.13.1 (cpu)" or "1.13.1 (cuda 11.x)", for manifests.
std::string torch_version();

}  // namespace lg::nets
