// Stand-in for a header Debian's libtorch-dev 1.13 leaves out: c10d/reducer.hpp includes it only to name the
// distributed-autograd context type in two private members (a shared_ptr and an atomic pointer, whose layout does not
// depend on the type) and to check its gradient-callback type. The shim never touches those members; libtorch's own
// Reducer code, built against the real header, does. CMake adds this directory only when the real header is absent
// (a PyTorch installation's libtorch ships it).
#pragma once

#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>

namespace torch {
namespace distributed {
namespace autograd {

class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};

using ContextPtr = std::shared_ptr<DistAutogradContext>;

}  // namespace autograd
}  // namespace distributed
}  // namespace torch
