// Kernels libtorch lacks, registered as operators of the `micar` namespace: the shim's generic entry point calls
// them by schema name like any ATen operator (e.g. `micar::conv2d_winograd`). conv2d_winograd, rms_norm and
// rope_interleaved are built from ATen ops, so they run on every device and dtype libtorch supports (the Winograd
// conv's autograd is a C++ autograd function, which decides what is kept for the backward pass); linear_rows and
// dropout_mask are CPU loops of their own, without autograd.

#include <torch/torch.h>
#include <torch/library.h>
#include <ATen/Parallel.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/DistributionsHelper.h>

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <cstring>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------------------
// micar::conv2d_winograd(input [b, c, h, w], weight [k, c, 3, 3], tile m ∈ {2, 4}, chunk_bytes) -> [b, k, h, w]
//
// 3×3 convolution, stride 1, padding 1, no bias, by Winograd's minimal filtering F(m×m, 3×3) (Lavin & Gray):
// for every α×α input tile d (α = m + 2) and kernel g, Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A. With row-major vectorised tiles
// each 2-d transform is one product with a Kronecker matrix, and the channel sums become α² batched products
// [k, c] × [c, tiles]: 2.25× (m = 2) or 4× (m = 4) fewer multiplications than the direct convolution.
//
// Memory: only the input and the weights are saved for backward; the transformed weights U (α²/9 times the weights:
// 4× for m = 4) and their gradient are made a slice of output (forward) or input (backward) channels at a time,
// about chunk_bytes each (default 64 MiB), and dropped. Autograd through the same ops would keep U and materialise dU whole.

constexpr double kBT2[4 * 4] = {1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1};
constexpr double kG2[4 * 3] = {1, 0, 0, .5, .5, .5, .5, -.5, .5, 0, 0, 1};
constexpr double kAT2[2 * 4] = {1, 1, 1, 0, 0, 1, -1, -1};
constexpr double kBT4[6 * 6] = {4, 0, -5, 0, 1, 0, 0, -4, -4, 1, 1, 0, 0, 4, -4, -1, 1, 0,
                                0, -2, -1, 2, 1, 0, 0, 2, -1, -2, 1, 0, 0, 4, 0, -5, 0, 1};
constexpr double kG4[6 * 3] = {1 / 4.0,  0,         0,        -1 / 6.0, -1 / 6.0, -1 / 6.0,
                               -1 / 6.0, 1 / 6.0,   -1 / 6.0, 1 / 24.0, 1 / 12.0, 1 / 6.0,
                               1 / 24.0, -1 / 12.0, 1 / 6.0,  0,        0,        1};
constexpr double kAT4[4 * 6] = {1, 1, 1, 1, 1, 0, 0, 1, -1, 2, -2, 0, 0, 1, 1, 4, 4, 0, 0, 1, -1, 8, -8, 1};


// L ⊗ R ([r0·r1, c0·c1]), so that vec(L X Rᵀ) = (L ⊗ R) vec(X) for row-major vec.
at::Tensor Kron(const double* l, int64_t r0, int64_t c0, const double* r, int64_t r1, int64_t c1,
                const at::TensorOptions& options) {
  std::vector<double> v(static_cast<size_t>(r0 * r1 * c0 * c1));
  for (int64_t i = 0; i < r0; ++i)
    for (int64_t j = 0; j < r1; ++j)
      for (int64_t p = 0; p < c0; ++p)
        for (int64_t q = 0; q < c1; ++q) v[(i * r1 + j) * c0 * c1 + p * c1 + q] = l[i * c0 + p] * r[j * c1 + q];
  return at::from_blob(v.data(), {r0 * r1, c0 * c1}, at::kDouble).to(options, false, /*copy=*/true);
}

struct Winograd {
  int64_t m, a, A, b, c, h, w, k, nh, nw, tiles, chunk_bytes;
  at::Tensor kb, kg, ka;  // Bᵀ⊗Bᵀ [A, A], G⊗G [A, 9], Aᵀ⊗Aᵀ [m², A]

  Winograd(const at::Tensor& x, const at::Tensor& weight, int64_t tile, int64_t chunk)
      : Winograd((Check(x, weight), x), weight.size(0), tile, chunk) {}

  static void Check(const at::Tensor& x, const at::Tensor& weight) {
    TORCH_CHECK(x.dim() == 4 && weight.dim() == 4 && weight.size(2) == 3 && weight.size(3) == 3 &&
                    weight.size(1) == x.size(1),
                "micar::conv2d_winograd needs input [b, c, h, w] and weight [k, c, 3, 3]; got input ", x.sizes(),
                " and weight ", weight.sizes());
    TORCH_CHECK(x.scalar_type() == weight.scalar_type() && x.device() == weight.device(),
                "micar::conv2d_winograd: input and weight differ in dtype or device");
  }

  // The geometry for input x [b, c, h, w] (4-d) and k output channels.
  Winograd(const at::Tensor& x, int64_t k_out, int64_t tile, int64_t chunk) : chunk_bytes(chunk) {
    TORCH_CHECK(tile == 2 || tile == 4, "micar::conv2d_winograd: tile must be 2 or 4, got ", tile);
    TORCH_CHECK(chunk > 0, "micar::conv2d_winograd: chunk_bytes must be positive, got ", chunk);
    m = tile;
    a = m + 2;
    A = a * a;
    b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), k = k_out;
    nh = (h + m - 1) / m, nw = (w + m - 1) / m, tiles = b * nh * nw;
    auto o = x.options();
    kb = m == 2 ? Kron(kBT2, 4, 4, kBT2, 4, 4, o) : Kron(kBT4, 6, 6, kBT4, 6, 6, o);
    kg = m == 2 ? Kron(kG2, 4, 3, kG2, 4, 3, o) : Kron(kG4, 6, 3, kG4, 6, 3, o);
    ka = m == 2 ? Kron(kAT2, 2, 4, kAT2, 2, 4, o) : Kron(kAT4, 4, 6, kAT4, 4, 6, o);
  }

  // How many rows of `per_row_bytes` fit the chunk budget (at least 1, at most n).
  int64_t Chunk(int64_t n, int64_t per_row_bytes) const {
    return std::clamp<int64_t>(chunk_bytes / std::max<int64_t>(per_row_bytes, 1), 1, std::max<int64_t>(n, 1));
  }

  // The input padded by one on the top/left and up to whole tiles (plus one) on the bottom/right.
  at::Tensor Pad(const at::Tensor& x) const {
    return at::constant_pad_nd(x, {1, nw * m + 1 - w, 1, nh * m + 1 - h}, 0);
  }

  // Bᵀ d B of every tile of channels [c0, c0 + n): [A, n, tiles].
  at::Tensor InputTransform(const at::Tensor& padded, int64_t c0, int64_t n) const {
    auto patches = padded.narrow(1, c0, n).unfold(2, a, m).unfold(3, a, m);  // b n nh nw α α
    return kb.mm(patches.permute({4, 5, 1, 0, 2, 3}).reshape({A, n * tiles})).view({A, n, tiles});
  }

  // G g Gᵀ of every kernel of a weight slice [kn, cn, 3, 3]: [A, kn, cn].
  at::Tensor WeightTransform(const at::Tensor& weight) const {
    auto kn = weight.size(0), cn = weight.size(1);
    return kg.mm(weight.reshape({kn * cn, 9}).t()).view({A, kn, cn});
  }

  at::Tensor Forward(const at::Tensor& x, const at::Tensor& weight) const {
    auto elem = static_cast<int64_t>(x.element_size());
    auto padded = Pad(x);
    auto v = at::empty({A, c, tiles}, x.options());
    for (int64_t c0 = 0, n = Chunk(c, A * tiles * elem); c0 < c; c0 += n) {
      n = std::min(n, c - c0);
      v.narrow(1, c0, n).copy_(InputTransform(padded, c0, n));
    }
    padded = at::Tensor();
    auto y = at::empty({b, k, nh * m, nw * m}, x.options());
    for (int64_t k0 = 0, n = Chunk(k, A * c * elem); k0 < k; k0 += n) {
      n = std::min(n, k - k0);
      auto product = WeightTransform(weight.narrow(0, k0, n)).bmm(v);  // [A, n, tiles]
      auto tile_out = ka.mm(product.view({A, n * tiles})).view({m, m, n, b, nh, nw});
      y.narrow(1, k0, n).copy_(tile_out.permute({3, 2, 4, 0, 5, 1}).reshape({b, n, nh * m, nw * m}));
    }
    if (nh * m != h || nw * m != w) y = y.narrow(2, 0, h).narrow(3, 0, w).contiguous();
    return y;
  }

  // Gradients of input and weights for the output gradient dy [b, k, h, w] (undefined where not needed).
  std::pair<at::Tensor, at::Tensor> Backward(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& dy,
                                             bool need_input, bool need_weight) const {
    auto elem = static_cast<int64_t>(x.element_size());
    auto full = nh * m != h || nw * m != w ? at::constant_pad_nd(dy, {0, nw * m - w, 0, nh * m - h}, 0) : dy;
    auto dm = ka.t()
                  .mm(full.reshape({b, k, nh, m, nw, m}).permute({3, 5, 1, 0, 2, 4}).reshape({m * m, k * tiles}))
                  .view({A, k, tiles});  // gradient of the tile products
    full = at::Tensor();
    at::Tensor dx = need_input ? at::empty_like(x, at::MemoryFormat::Contiguous) : at::Tensor();
    at::Tensor dw = need_weight ? at::empty_like(weight, at::MemoryFormat::Contiguous) : at::Tensor();
    at::Tensor padded = need_weight ? Pad(x) : at::Tensor();
    for (int64_t c0 = 0, n = Chunk(c, A * k * elem); c0 < c; c0 += n) {
      n = std::min(n, c - c0);
      if (need_weight) {
        auto du = dm.bmm(InputTransform(padded, c0, n).transpose(1, 2));  // [A, k, n]
        dw.narrow(1, c0, n).copy_(kg.t().mm(du.view({A, k * n})).t().reshape({k, n, 3, 3}));
      }
      if (need_input) {
        auto dv = WeightTransform(weight.narrow(1, c0, n)).transpose(1, 2).bmm(dm);  // [A, n, tiles]
        auto cols = kb.t().mm(dv.view({A, n * tiles})).view({a, a, n, b, nh * nw});
        auto dpadded = at::col2im(cols.permute({3, 2, 0, 1, 4}).reshape({b, n * A, nh * nw}),
                                  {nh * m + 2, nw * m + 2}, {a, a}, {1, 1}, {0, 0}, {m, m});
        dx.narrow(1, c0, n).copy_(dpadded.narrow(2, 1, h).narrow(3, 1, w));
      }
    }
    return {dx, dw};
  }
};

struct WinogradConv : public torch::autograd::Function<WinogradConv> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
                            int64_t tile, int64_t chunk_bytes) {
    ctx->save_for_backward({x, weight});
    ctx->saved_data["tile"] = tile;
    ctx->saved_data["chunk_bytes"] = chunk_bytes;
    return Winograd(x, weight, tile, chunk_bytes).Forward(x, weight);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& dy = grads[0];
    bool need_input = ctx->needs_input_grad(0), need_weight = ctx->needs_input_grad(1);
    if (!dy.defined() || (!need_input && !need_weight)) return {at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    Winograd wg(saved[0], saved[1], ctx->saved_data["tile"].toInt(), ctx->saved_data["chunk_bytes"].toInt());
    auto [dx, dw] = wg.Backward(saved[0], saved[1], dy, need_input, need_weight);
    return {dx, dw, at::Tensor(), at::Tensor()};
  }
};

at::Tensor Conv2dWinograd(const at::Tensor& input, const at::Tensor& weight, int64_t tile, int64_t chunk_bytes) {
  return WinogradConv::apply(input, weight, tile, chunk_bytes);
}

// ---------------------------------------------------------------------------------------------------
// Inference form of the same convolution: the weights transformed once (micar::winograd_weight, which callers keep
// while the weights do not change) and the per-channel affine map and ReLU that follow the convolution in the MSVE
// fusion block (bias and an evaluation-mode batch norm folded into y·scale + shift) applied to each slice of output
// channels as it is written:
//
//   micar::winograd_weight(weight [k, c, 3, 3], tile m) -> U [α², k, c]            (G g Gᵀ of every kernel)
//   micar::conv2d_winograd_transformed(input [b, c, h, w], U [α², k, c], tile m, scale [k]?, shift [k]?, relu)
//       -> max(0?, conv(input) · scale + shift) [b, k, h, w]
//
// No autograd: they refuse inputs that require gradients while gradient mode is on. With the weights transformed
// beforehand one batched product [α², k, c] × [α², c, tiles] replaces the slices of the training operator, each of
// which transformed its slice of the weights again.

// oneDNN's row-major sgemm, C[M, N] = A[M, K] · B[K, N] (the C API function `dnnl_sgemm`), taken at run time from the
// libdnnl.so.2 that Debian's libtorch already loads for its convolutions; null where there is none (a libtorch with
// oneDNN linked in statically), and the ATen product is used instead. On this repository's 2-core AVX-512 machine it
// multiplies [2048, 2048] × [2048, 196] 4–5× faster than the BLAS behind at::bmm (OpenBLAS 0.3.21).
using DnnlSgemm = int (*)(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

DnnlSgemm OneDnnSgemm() {
  static const DnnlSgemm fn = [] {
    if (const char* off = std::getenv("MICAR_NO_ONEDNN_GEMM"); off != nullptr && *off != '\0' && *off != '0')
      return DnnlSgemm{nullptr};
    void* lib = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_LOCAL);
    return lib != nullptr ? reinterpret_cast<DnnlSgemm>(dlsym(lib, "dnnl_sgemm")) : DnnlSgemm{nullptr};
  }();
  return fn;
}

// out[i] = a[i] · b[i] for a [n, M, K] and b [n, K, N] (rows of each matrix contiguous, any batch and row strides):
// oneDNN's sgemm for float32 CPU tensors where it is available, at::bmm_out otherwise.
void BatchedProduct(const at::Tensor& a, const at::Tensor& b, const at::Tensor& out) {
  auto gemm = OneDnnSgemm();
  const bool plain = a.stride(2) == 1 && b.stride(2) == 1 && out.stride(2) == 1;
  if (gemm == nullptr || !a.device().is_cpu() || a.scalar_type() != at::kFloat || b.scalar_type() != at::kFloat ||
      out.scalar_type() != at::kFloat || !plain) {
    if (out.is_contiguous()) {
      at::bmm_out(const_cast<at::Tensor&>(out), a, b);
    } else {
      out.copy_(at::bmm(a, b));
    }
    return;
  }
  const int64_t n = a.size(0), M = a.size(1), K = a.size(2), N = b.size(2);
  const float* pa = a.data_ptr<float>();
  const float* pb = b.data_ptr<float>();
  float* pc = out.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    int status = gemm('N', 'N', M, N, K, 1.f, pa + i * a.stride(0), a.stride(1), pb + i * b.stride(0), b.stride(1), 0.f,
                      pc + i * out.stride(0), out.stride(1));
    TORCH_CHECK(status == 0, "micar: dnnl_sgemm failed with status ", status);
  }
}

// out = a · b for 2-d a [M, K], b [K, N] (rows contiguous), as BatchedProduct.
void Product(const at::Tensor& a, const at::Tensor& b, const at::Tensor& out) {
  BatchedProduct(a.unsqueeze(0), b.unsqueeze(0), out.unsqueeze(0));
}

at::Tensor WinogradWeight(const at::Tensor& weight, int64_t tile) {
  TORCH_CHECK(tile == 2 || tile == 4, "micar::winograd_weight: tile must be 2 or 4, got ", tile);
  TORCH_CHECK(weight.dim() == 4 && weight.size(2) == 3 && weight.size(3) == 3,
              "micar::winograd_weight needs weight [k, c, 3, 3], got ", weight.sizes());
  TORCH_CHECK(!(c10::GradMode::is_enabled() && weight.requires_grad()),
              "micar::winograd_weight is for inference: it has no gradient (run it without gradient mode)");
  auto kg = tile == 2 ? Kron(kG2, 4, 3, kG2, 4, 3, weight.options()) : Kron(kG4, 6, 3, kG4, 6, 3, weight.options());
  const int64_t k = weight.size(0), c = weight.size(1);
  return kg.mm(weight.reshape({k * c, 9}).t()).view({kg.size(0), k, c});
}

at::Tensor Conv2dWinogradTransformed(const at::Tensor& x, const at::Tensor& u, int64_t tile,
                                     const c10::optional<at::Tensor>& scale, const c10::optional<at::Tensor>& shift,
                                     bool relu) {
  TORCH_CHECK(tile == 2 || tile == 4, "micar::conv2d_winograd_transformed: tile must be 2 or 4, got ", tile);
  const int64_t alpha = tile + 2;
  TORCH_CHECK(x.dim() == 4 && u.dim() == 3 && u.size(0) == alpha * alpha && u.size(2) == x.size(1),
              "micar::conv2d_winograd_transformed needs input [b, c, h, w] and transformed weights [", alpha * alpha,
              ", k, c] (micar::winograd_weight with tile ", tile, "); got input ", x.sizes(), " and weights ", u.sizes());
  TORCH_CHECK(x.scalar_type() == u.scalar_type() && x.device() == u.device(),
              "micar::conv2d_winograd_transformed: input and weights differ in dtype or device");
  TORCH_CHECK(!(c10::GradMode::is_enabled() && (x.requires_grad() || u.requires_grad())),
              "micar::conv2d_winograd_transformed is for inference: it has no gradient (run it without gradient mode)");
  const int64_t k = u.size(1);
  auto per_channel = [&](const c10::optional<at::Tensor>& t, const char* name) {
    if (!t.has_value() || !t->defined()) return at::Tensor();
    TORCH_CHECK(t->numel() == k && t->device() == x.device(), "micar::conv2d_winograd_transformed: ", name,
                " must have one value per output channel (", k, ") on the input's device, got ", t->sizes());
    return t->to(x.scalar_type()).reshape({1, k, 1, 1});
  };
  auto sc = per_channel(scale, "scale"), sh = per_channel(shift, "shift");
  Winograd wg(x, k, tile, 64LL << 20);  // the training operator's geometry and transform matrices
  const int64_t m = wg.m, A = wg.A, b = wg.b, c = wg.c, nh = wg.nh, nw = wg.nw, tiles = wg.tiles;
  const auto elem = static_cast<int64_t>(x.element_size());
  auto padded = wg.Pad(x);
  // V = Bᵀ d B of every tile, [A, c, tiles], a slice of input channels at a time (the slice's tiles gathered, then one
  // product with Bᵀ⊗Bᵀ written straight into V).
  auto v = at::empty({A, c, tiles}, x.options());
  for (int64_t c0 = 0, n = wg.Chunk(c, A * tiles * elem); c0 < c; c0 += n) {
    n = std::min(n, c - c0);
    auto patches = padded.narrow(1, c0, n).unfold(2, wg.a, m).unfold(3, wg.a, m);  // b n nh nw α α
    auto cols = patches.permute({4, 5, 1, 0, 2, 3}).reshape({A, n * tiles});
    Product(wg.kb, cols, v.narrow(1, c0, n).view({A, n * tiles}));
  }
  padded = at::Tensor();
  auto y = at::empty({b, k, nh * m, nw * m}, x.options());
  // Slices of output channels whose tile products take at most 64 MiB (all of them for one 56×56 image).
  for (int64_t k0 = 0, n = wg.Chunk(k, A * tiles * elem); k0 < k; k0 += n) {
    n = std::min(n, k - k0);
    auto product = at::empty({A, n, tiles}, x.options());
    BatchedProduct(u.narrow(1, k0, n), v, product);
    auto tile_out = at::empty({m * m, n * tiles}, x.options());
    Product(wg.ka, product.view({A, n * tiles}), tile_out);
    product = at::Tensor();
    auto slice = y.narrow(1, k0, n);
    slice.copy_(tile_out.view({m, m, n, b, nh, nw}).permute({3, 2, 4, 0, 5, 1}).reshape({b, n, nh * m, nw * m}));
    if (sc.defined()) slice.mul_(sc.narrow(1, k0, n));
    if (sh.defined()) slice.add_(sh.narrow(1, k0, n));
    if (relu) slice.relu_();
  }
  if (nh * m != x.size(2) || nw * m != x.size(3)) y = y.narrow(2, 0, x.size(2)).narrow(3, 0, x.size(3)).contiguous();
  return y;
}

// ---------------------------------------------------------------------------------------------------
// micar::linear_rows(input [.., K], weight [N, K], bias [N]?) -> [.., N]   (CPU, float32, no autograd)
//
// y = x Wᵀ + b for a few rows (a beam-search step: F.Linear sends 1 to 4). BLAS GEMM packs the whole weight matrix
// before multiplying, so with 3 rows it moves the weights through memory about three times; here each weight row is
// read once and multiplied with every input row while it is in L1 (faster up to a few rows, GEMM beyond; the
// measurements are in the README). Sums run in another order than BLAS (differences ~1e-6 relative).
// Built twice, for x86-64-v3 (AVX2 + FMA) and the baseline, chosen at load by the CPU (GCC function multiversioning).

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define MICAR_CPU_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define MICAR_CPU_CLONES
#endif

// Eight floats as one value (GCC/Clang vector extension): one AVX register in the x86-64-v3 build, two SSE ones in
// the baseline build.
typedef float V8 __attribute__((vector_size(32)));

inline V8 Load8(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof v);  // unaligned load
  return v;
}

// R dot products of one weight row w with R input rows x (stride ldx), eight partial sums each.
template <int R>
inline void DotRows(const float* w, const float* x, int64_t k_len, int64_t ldx, float* out) {
  V8 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = V8{};
  int64_t k = 0;
  for (; k + 8 <= k_len; k += 8) {
    V8 wv = Load8(w + k);
    for (int r = 0; r < R; ++r) acc[r] += wv * Load8(x + r * ldx + k);
  }
  for (int r = 0; r < R; ++r) {
    const V8& a = acc[r];
    float s = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
    for (int64_t kk = k; kk < k_len; ++kk) s += w[kk] * x[r * ldx + kk];
    out[r] = s;
  }
}

// Output columns n0 … n1−1 of y [m, n] = x [m, k] · w [n, k]ᵀ (+ b).
MICAR_CPU_CLONES
void LinearRowsBlock(const float* x, const float* w, const float* b, float* y, int64_t m, int64_t n, int64_t k,
                     int64_t n0, int64_t n1) {
  float out[4];
  for (int64_t j = n0; j < n1; ++j) {
    const float* wj = w + j * k;
    float bj = b != nullptr ? b[j] : 0.f;
    int64_t r = 0;
    for (; r + 4 <= m; r += 4) {
      DotRows<4>(wj, x + r * k, k, k, out);
      for (int q = 0; q < 4; ++q) y[(r + q) * n + j] = out[q] + bj;
    }
    switch (m - r) {
      case 3: DotRows<3>(wj, x + r * k, k, k, out); break;
      case 2: DotRows<2>(wj, x + r * k, k, k, out); break;
      case 1: DotRows<1>(wj, x + r * k, k, k, out); break;
      default: break;
    }
    for (int64_t q = 0; q < m - r; ++q) y[(r + q) * n + j] = out[q] + bj;
  }
}

at::Tensor LinearRows(const at::Tensor& input, const at::Tensor& weight, const c10::optional<at::Tensor>& bias) {
  TORCH_CHECK(input.device().is_cpu() && weight.device().is_cpu(), "micar::linear_rows runs on the CPU only");
  TORCH_CHECK(input.scalar_type() == at::kFloat && weight.scalar_type() == at::kFloat,
              "micar::linear_rows needs float32 input and weight, got ", input.scalar_type(), " and ", weight.scalar_type());
  TORCH_CHECK(weight.dim() == 2 && input.dim() >= 1 && input.size(-1) == weight.size(1),
              "micar::linear_rows: input [.., K] and weight [N, K] expected, got input ", input.sizes(), " and weight ",
              weight.sizes());
  const bool has_bias = bias.has_value() && bias->defined();
  if (has_bias)
    TORCH_CHECK(bias->device().is_cpu() && bias->scalar_type() == at::kFloat && bias->dim() == 1 &&
                    bias->size(0) == weight.size(0),
                "micar::linear_rows: bias must be float32 [", weight.size(0), "], got ", bias->sizes());
  const int64_t k = weight.size(1), n = weight.size(0);
  auto x = input.reshape({-1, k}).contiguous();
  auto w = weight.contiguous();
  auto b = has_bias ? bias->contiguous() : at::Tensor();
  const int64_t m = x.size(0);
  auto y = at::empty({m, n}, input.options());
  if (m > 0 && n > 0) {
    const float* xp = x.data_ptr<float>();
    const float* wp = w.data_ptr<float>();
    const float* bp = has_bias ? b.data_ptr<float>() : nullptr;
    float* yp = y.data_ptr<float>();
    // About 64 K multiply-adds per task: enough to cover a task's start on any pool.
    const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(1, m * k));
    at::parallel_for(0, n, grain, [&](int64_t n0, int64_t n1) { LinearRowsBlock(xp, wp, bp, yp, m, n, k, n0, n1); });
  }
  auto out_shape = input.sizes().vec();
  out_shape.back() = n;
  return y.view(out_shape);
}

// ---------------------------------------------------------------------------------------------------
// micar::dropout_mask(int[] size, float p, ScalarType dtype, Generator? generator) -> Tensor   (CPU)
//
// A scaled dropout mask (no input tensor, so nothing for autograd to track): each element 1/(1−p) with probability
// 1−p, else 0. libtorch's CPU bernoulli_ draws element by element on one thread (2 ms for 327 K elements here, 4 % of the tiny training step);
// this one draws one 64-bit key from the generator per call and takes element pairs from the SplitMix64 stream of
// that key by index, so the mask is the same whatever the number of threads and the work splits freely.

inline uint64_t SplitMix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

at::Tensor DropoutMask(at::IntArrayRef size, double p, at::ScalarType dtype, const c10::optional<at::Generator>& generator) {
  TORCH_CHECK(p >= 0 && p < 1, "micar::dropout_mask: p must lie in [0, 1), got ", p);
  uint64_t key;
  {
    auto* gen = at::get_generator_or_default<at::CPUGeneratorImpl>(generator, at::detail::getDefaultCPUGenerator());
    std::lock_guard<std::mutex> lock(gen->mutex_);
    key = gen->random64();
  }
  // Keep when the top 24 bits, as a fraction, fall below 1 − p (exactly representable steps of 2^-24).
  const uint64_t threshold = static_cast<uint64_t>(std::llround((1.0 - p) * 16777216.0));
  auto mask = at::empty(size, at::TensorOptions().dtype(at::kFloat));
  float* m = mask.data_ptr<float>();
  const float scale = static_cast<float>(1.0 / (1.0 - p));
  // Pair j takes output j of the SplitMix64 stream seeded with the key: bits 40–63 decide element 2j, bits 8–31 2j+1.
  const int64_t n = mask.numel();
  at::parallel_for(0, (n + 1) / 2, 8192, [&](int64_t j0, int64_t j1) {
    for (int64_t j = j0; j < j1; ++j) {
      uint64_t h = SplitMix64(key + static_cast<uint64_t>(j) * 0x9E3779B97F4A7C15ULL);
      m[2 * j] = (h >> 40) < threshold ? scale : 0.f;
      if (2 * j + 1 < n) m[2 * j + 1] = ((h >> 8) & 0xFFFFFF) < threshold ? scale : 0.f;
    }
  });
  return dtype == at::kFloat ? mask : mask.to(dtype);
}

// ---------------------------------------------------------------------------------------------------
// micar::rms_norm(x, weight, eps) and micar::rope_interleaved(x, cos, sin): the ATen operators Micar's RMSNorm and
// rotary embedding already run, in the same order (so the same values and the same autograd graph), called from C++:
// one call from .NET instead of six and eleven. A decoding step runs a dozen of each, where the per-call cost of the
// binding, not arithmetic, is the time.

// RMSNorm as the official code computes it: in float32, x·rsqrt(mean(x²) + eps), cast back, times the weight.
at::Tensor RmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  const auto dtype = x.scalar_type();
  auto x32 = dtype == at::kFloat ? x : x.to(at::kFloat);
  auto ms = x32.pow(2).mean(-1, /*keepdim=*/true);
  auto y = x32.mul(ms.add(eps).rsqrt());
  if (dtype != at::kFloat) y = y.to(dtype);
  return y.mul(weight);
}

// GPT-J (interleaved) rotation of the first cos.size(-1) features of x [.., S, D] by angles with cos/sin [S, R];
// features R … D−1 pass through.
at::Tensor RopeInterleaved(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const int64_t rot = cos.size(-1), d = x.size(-1);
  TORCH_CHECK(rot % 2 == 0 && rot <= d, "micar::rope_interleaved: rotates ", rot, " features of ", d);
  auto xr = x.narrow(-1, 0, rot);
  auto shape = xr.sizes().vec();
  auto pair_shape = shape;
  pair_shape.back() = rot / 2;
  pair_shape.push_back(2);
  auto pairs = xr.reshape(pair_shape);
  auto x0 = pairs.select(-1, 0);
  auto x1 = pairs.select(-1, 1);
  auto rotated = at::stack({x1.neg(), x0}, -1).reshape(shape);  // (−x1, x0)
  auto out = xr.mul(cos).add(rotated.mul(sin));
  return rot == d ? out : at::cat({out, x.narrow(-1, rot, d - rot)}, -1);
}

}  // namespace

TORCH_LIBRARY(micar, lib) {
  lib.def("conv2d_winograd(Tensor input, Tensor weight, int tile=4, int chunk_bytes=67108864) -> Tensor");
  lib.def("winograd_weight(Tensor weight, int tile=4) -> Tensor");
  lib.def("conv2d_winograd_transformed(Tensor input, Tensor u, int tile=4, Tensor? scale=None, Tensor? shift=None, bool relu=False) -> Tensor");
  lib.def("linear_rows(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor");
  lib.def("dropout_mask(int[] size, float p, ScalarType dtype=float, Generator? generator=None) -> Tensor");
  lib.def("rms_norm(Tensor x, Tensor weight, float eps=1e-6) -> Tensor");
  lib.def("rope_interleaved(Tensor x, Tensor cos, Tensor sin) -> Tensor");
}

TORCH_LIBRARY_IMPL(micar, CompositeImplicitAutograd, lib) {
  lib.impl("conv2d_winograd", &Conv2dWinograd);
  lib.impl("rms_norm", &RmsNorm);
  lib.impl("winograd_weight", &WinogradWeight);
  lib.impl("conv2d_winograd_transformed", &Conv2dWinogradTransformed);
  lib.impl("rope_interleaved", &RopeInterleaved);
}

TORCH_LIBRARY_IMPL(micar, CPU, lib) { lib.impl("linear_rows", &LinearRows); }

// No tensor argument to dispatch on: the kernel serves every dispatch key and makes CPU tensors.
TORCH_LIBRARY_IMPL(micar, CompositeExplicitAutograd, lib) { lib.impl("dropout_mask", &DropoutMask); }
