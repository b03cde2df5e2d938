// Compatibility shim between gotch v0.7.0 (generated for libtorch 1.11) and
// newer libtorch releases such as Debian 12's 1.13.1.
//
// This directory is put first on the C++ include path (CGO_CXXFLAGS), so
// gotch's `#include <torch/script.h>` lands here; we include the real header
// and then declare, in namespace torch, what gotch's generated wrappers call
// but 1.13 removed or re-signatured. gotch's own files stay untouched.
//
// - Removed ops: a function that throws "not available in this libtorch";
//   gotch turns the exception into a Go error, so only a caller of that
//   exact op sees it.
// - Re-signatured ops: an overload with gotch's old argument list that
//   forwards to the new one. A declaration in namespace torch hides the at::
//   overloads that torch sees through `using namespace at`, so each is
//   paired with `using at::NAME;` to keep them visible.
#pragma once
#include_next <torch/script.h>

#include <torch/version.h>

#if TORCH_VERSION_MAJOR == 1 && TORCH_VERSION_MINOR >= 12

#include <stdexcept>
#include <string>
#include <tuple>

namespace torch {
namespace gotchcompat {
[[noreturn]] inline void unavailable(const char *op) {
  throw std::runtime_error(std::string(op) +
                           ": not available in this libtorch (" +
                           TORCH_VERSION + "); gotch v0.7.0 targets 1.11");
}
using T1 = at::Tensor;
using T2 = std::tuple<at::Tensor, at::Tensor>;
using T3 = std::tuple<at::Tensor, at::Tensor, at::Tensor>;
} // namespace gotchcompat

#define GOTCHCOMPAT_REMOVED(ret, name)                                         \
  template <typename... Args> gotchcompat::ret name(Args &&...) {              \
    gotchcompat::unavailable(#name);                                           \
  }

// Ops removed from the public API in 1.12 / 1.13.
GOTCHCOMPAT_REMOVED(T1, _cat)
GOTCHCOMPAT_REMOVED(T1, _cat_out)
GOTCHCOMPAT_REMOVED(T3, _det_lu_based_helper)
GOTCHCOMPAT_REMOVED(T1, _det_lu_based_helper_backward_helper)
GOTCHCOMPAT_REMOVED(T1, _linalg_inv_out_helper_)
GOTCHCOMPAT_REMOVED(T2, _linalg_qr_helper)
GOTCHCOMPAT_REMOVED(T1, _s_where)
GOTCHCOMPAT_REMOVED(T2, _solve_helper)
GOTCHCOMPAT_REMOVED(T2, _weight_norm_cuda_interface)
GOTCHCOMPAT_REMOVED(T2, _weight_norm_cuda_interface_backward)
GOTCHCOMPAT_REMOVED(T1, binary_cross_entropy_with_logits_backward)
GOTCHCOMPAT_REMOVED(T1, col2im_backward)
GOTCHCOMPAT_REMOVED(T1, col2im_backward_out)
GOTCHCOMPAT_REMOVED(T1, im2col_backward)
GOTCHCOMPAT_REMOVED(T1, im2col_backward_out)
GOTCHCOMPAT_REMOVED(T2, eig)
GOTCHCOMPAT_REMOVED(T2, eig_out)
GOTCHCOMPAT_REMOVED(T1, kl_div_backward)
GOTCHCOMPAT_REMOVED(T1, l1_loss_backward)
GOTCHCOMPAT_REMOVED(T1, l1_loss_backward_out)
GOTCHCOMPAT_REMOVED(T1, l1_loss_out)
GOTCHCOMPAT_REMOVED(T2, lstsq)
GOTCHCOMPAT_REMOVED(T2, lstsq_out)
GOTCHCOMPAT_REMOVED(T1, matrix_rank)
GOTCHCOMPAT_REMOVED(T1, max_unpool2d_backward)
GOTCHCOMPAT_REMOVED(T1, max_unpool2d_backward_out)
GOTCHCOMPAT_REMOVED(T1, max_unpool3d_backward)
GOTCHCOMPAT_REMOVED(T1, max_unpool3d_backward_out)
GOTCHCOMPAT_REMOVED(T2, solve)
GOTCHCOMPAT_REMOVED(T2, solve_out)
#undef GOTCHCOMPAT_REMOVED

// Re-signatured ops: gotch's 1.11 argument lists, forwarded to 1.13.
using at::arange_out;
inline at::Tensor &arange_out(at::Tensor &out, const at::Scalar &start,
                              const at::Scalar &end) {
  return at::arange_out(out, start, end, 1);
}

// 1.13 has two 3-argument-compatible overloads each; taking the tensors as
// non-const references makes these the single best match for gotch's calls.
using at::bernoulli_out;
inline at::Tensor &bernoulli_out(at::Tensor &out, at::Tensor &self) {
  return at::bernoulli_out(out, self, c10::optional<at::Generator>());
}
using at::normal_out;
inline at::Tensor &normal_out(at::Tensor &out, at::Tensor &mean, double std) {
  return at::normal_out(out, static_cast<const at::Tensor &>(mean), std,
                        c10::optional<at::Generator>());
}

using at::grid_sampler_3d_backward;
inline std::tuple<at::Tensor, at::Tensor>
grid_sampler_3d_backward(const at::Tensor &grad_output, const at::Tensor &input,
                         const at::Tensor &grid, int64_t interpolation_mode,
                         int64_t padding_mode, bool align_corners) {
  return at::grid_sampler_3d_backward(grad_output, input, grid,
                                      interpolation_mode, padding_mode,
                                      align_corners, {true, true});
}

using at::nansum;
inline at::Tensor nansum(const at::Tensor &self, at::ScalarType dtype) {
  return at::nansum(self, c10::nullopt, false, dtype);
}

using at::segment_reduce;
inline at::Tensor segment_reduce(const at::Tensor &data, std::string reduce,
                                 const at::Tensor &lengths,
                                 const at::Tensor &indices, int64_t axis,
                                 bool unsafe, const at::Scalar &initial) {
  return at::segment_reduce(data, reduce, lengths, indices, c10::nullopt, axis,
                            unsafe, initial);
}

using at::_segment_reduce_backward;
inline at::Tensor _segment_reduce_backward(const at::Tensor &grad,
                                           const at::Tensor &output,
                                           const at::Tensor &data,
                                           std::string reduce,
                                           const at::Tensor &lengths,
                                           int64_t axis) {
  return at::_segment_reduce_backward(grad, output, data, reduce, lengths,
                                      c10::nullopt, axis, c10::nullopt);
}
} // namespace torch

#endif // TORCH_VERSION 1.12+
