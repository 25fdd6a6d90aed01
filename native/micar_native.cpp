// Micar native shim: a small, generic C ABI over libtorch. No model code lives here.
//
// Shape of the boundary (the repository README, Layout, says what lives where):
//  * one generic entry point calls any ATen operator through the dispatcher by schema name and overload,
//    with a tagged argument array (boxed call); missing trailing arguments take the schema's defaults;
//  * a handful of entry points the dispatcher does not cover: tensor lifetime and metadata, data in/out,
//    autograd (backward, grad, requires_grad), grad and inference modes, RNG, threads, devices, version.
// Every entry point returns 0 on success and 1 on failure; C++ exceptions never cross the boundary and the
// failure message (libtorch's own explanation) is available from mt_last_error() on the same thread.

#include <torch/torch.h>
#include <torch/version.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/autocast_mode.h>
#ifdef MICAR_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif
#include <c10/core/CPUAllocator.h>
#include <c10/core/InferenceMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <ATen/record_function.h>

#include <algorithm>
#include <chrono>
#include <sys/mman.h>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>
#include <sstream>
#include <string>
#include <vector>

#include "micar_shim.h"

namespace micar {
std::string& last_error() {
  thread_local std::string message;
  return message;
}
}  // namespace micar

namespace {

using micar::guarded;

// Tags of mt_arg (arguments and results).
enum : int32_t {
  MT_NONE = 0,
  MT_TENSOR = 1,       // p = at::Tensor* (nullptr = undefined tensor)
  MT_INT = 2,          // i
  MT_DOUBLE = 3,       // d
  MT_BOOL = 4,         // i != 0
  MT_INT_LIST = 5,     // p = int64_t*, i = length
  MT_DOUBLE_LIST = 6,  // p = double*, i = length
  MT_TENSOR_LIST = 7,  // p = at::Tensor**, i = length
  MT_STRING = 8,       // p = const char* (UTF-8, NUL-terminated)
  MT_DEVICE = 9,       // i = c10::DeviceType, aux = index (-1 = current)
  MT_GENERATOR = 10,   // p = at::Generator*
  MT_OPT_TENSOR_LIST = 11,  // p = at::Tensor** where nullptr entries mean None, i = length
  MT_BOOL_LIST = 12,   // p = uint8_t*, i = length
  MT_DEFAULT = 13,     // take the schema's default value for this position
};

struct mt_arg {
  int32_t tag;
  int32_t aux;
  int64_t i;
  double d;
  void* p;
};
static_assert(sizeof(mt_arg) == 32, "mt_arg layout is part of the ABI");

at::Tensor& T(void* p) {
  TORCH_CHECK(p != nullptr, "null tensor handle");
  return *static_cast<at::Tensor*>(p);
}

void* new_handle(at::Tensor t) { return t.defined() ? new at::Tensor(std::move(t)) : nullptr; }

char* dup_string(const std::string& s) {
  char* r = static_cast<char*>(std::malloc(s.size() + 1));
  std::memcpy(r, s.c_str(), s.size() + 1);
  return r;
}

c10::Device device_of(int32_t type, int32_t index) {
  return c10::Device(static_cast<c10::DeviceType>(type), static_cast<c10::DeviceIndex>(index));
}

std::string describe_arg(const c10::FunctionSchema& schema, size_t pos) {
  const auto& a = schema.arguments()[pos];
  return "argument '" + a.name() + "' (position " + std::to_string(pos) + ", type " + a.type()->str() +
         ") of " + schema.operator_name().name +
         (schema.overload_name().empty() ? "" : "." + schema.overload_name());
}

// Converts one tagged argument to an IValue, using the schema's declared type to coerce numbers.
c10::IValue to_ivalue(const mt_arg& a, const c10::FunctionSchema& schema, size_t pos) {
  const auto& formal = schema.arguments()[pos];
  c10::TypePtr type = formal.type();
  if (auto opt = type->cast<c10::OptionalType>()) type = opt->getElementType();
  switch (a.tag) {
    case MT_NONE:
      return c10::IValue();
    case MT_DEFAULT:
      TORCH_CHECK(formal.default_value().has_value(), "no default value for ", describe_arg(schema, pos));
      return *formal.default_value();
    case MT_TENSOR:
      if (a.p == nullptr) return c10::IValue();
      return c10::IValue(T(a.p));
    case MT_INT:
      if (type->kind() == c10::TypeKind::FloatType) return c10::IValue(static_cast<double>(a.i));
      if (type->kind() == c10::TypeKind::BoolType) return c10::IValue(a.i != 0);
      return c10::IValue(a.i);
    case MT_DOUBLE:
      TORCH_CHECK(type->kind() != c10::TypeKind::IntType, "a floating-point value was given for ",
                  describe_arg(schema, pos));
      return c10::IValue(a.d);
    case MT_BOOL:
      return c10::IValue(a.i != 0);
    case MT_INT_LIST: {
      const auto* v = static_cast<const int64_t*>(a.p);
      return c10::IValue(std::vector<int64_t>(v, v + a.i));
    }
    case MT_DOUBLE_LIST: {
      const auto* v = static_cast<const double*>(a.p);
      return c10::IValue(std::vector<double>(v, v + a.i));
    }
    case MT_BOOL_LIST: {
      const auto* v = static_cast<const uint8_t*>(a.p);
      c10::List<bool> l;
      for (int64_t k = 0; k < a.i; ++k) l.push_back(v[k] != 0);
      return c10::IValue(std::move(l));
    }
    case MT_TENSOR_LIST: {
      auto* const* v = static_cast<void* const*>(a.p);
      c10::List<at::Tensor> l;
      l.reserve(a.i);
      for (int64_t k = 0; k < a.i; ++k) l.push_back(T(v[k]));
      return c10::IValue(std::move(l));
    }
    case MT_OPT_TENSOR_LIST: {
      auto* const* v = static_cast<void* const*>(a.p);
      c10::List<c10::optional<at::Tensor>> l;
      l.reserve(a.i);
      for (int64_t k = 0; k < a.i; ++k) {
        if (v[k] == nullptr) l.push_back(c10::nullopt);
        else l.push_back(T(v[k]));
      }
      return c10::IValue(std::move(l));
    }
    case MT_STRING:
      return c10::IValue(std::string(static_cast<const char*>(a.p)));
    case MT_DEVICE:
      return c10::IValue(device_of(static_cast<int32_t>(a.i), a.aux));
    case MT_GENERATOR:
      TORCH_CHECK(a.p != nullptr, "null generator handle for ", describe_arg(schema, pos));
      return c10::IValue(*static_cast<at::Generator*>(a.p));
    default:
      TORCH_CHECK(false, "unknown argument tag ", a.tag, " for ", describe_arg(schema, pos));
  }
}

void from_ivalue(const c10::IValue& v, mt_arg& out) {
  std::memset(&out, 0, sizeof(out));
  if (v.isNone()) {
    out.tag = MT_NONE;
  } else if (v.isTensor()) {
    out.tag = MT_TENSOR;
    out.p = new_handle(v.toTensor());
  } else if (v.isInt()) {
    out.tag = MT_INT;
    out.i = v.toInt();
  } else if (v.isDouble()) {
    out.tag = MT_DOUBLE;
    out.d = v.toDouble();
  } else if (v.isBool()) {
    out.tag = MT_BOOL;
    out.i = v.toBool() ? 1 : 0;
  } else if (v.isTensorList()) {
    auto l = v.toTensorList();
    auto** arr = static_cast<void**>(std::malloc(sizeof(void*) * std::max<size_t>(1, l.size())));
    for (size_t k = 0; k < l.size(); ++k) arr[k] = new_handle(l.get(k));
    out.tag = MT_TENSOR_LIST;
    out.p = arr;
    out.i = static_cast<int64_t>(l.size());
  } else if (v.isIntList()) {
    auto l = v.toIntList();
    auto* arr = static_cast<int64_t*>(std::malloc(sizeof(int64_t) * std::max<size_t>(1, l.size())));
    for (size_t k = 0; k < l.size(); ++k) arr[k] = l.get(k);
    out.tag = MT_INT_LIST;
    out.p = arr;
    out.i = static_cast<int64_t>(l.size());
  } else {
    TORCH_CHECK(false, "unsupported result type ", v.tagKind());
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Errors, memory, version, configuration

MT_API const char* mt_last_error() { return micar::last_error().c_str(); }
MT_API void mt_free(void* p) { std::free(p); }
MT_API const char* mt_version() { return TORCH_VERSION; }

MT_API int mt_config(char** out) {
  return guarded([&] { *out = dup_string(at::show_config() + "\n" + at::get_parallel_info()); });
}

// ---------------------------------------------------------------------------------------------------
// Generic operator calls through the dispatcher

MT_API int mt_op_find(const char* name, const char* overload, void** out) {
  return guarded([&] {
    auto op = c10::Dispatcher::singleton().findSchemaOrThrow(name, overload);
    *out = new c10::OperatorHandle(op);
  });
}

MT_API int mt_op_schema(void* op, char** out) {
  return guarded([&] {
    std::ostringstream ss;
    ss << static_cast<c10::OperatorHandle*>(op)->schema();
    *out = dup_string(ss.str());
  });
}

MT_API int mt_op_call(void* op, const mt_arg* args, int32_t nargs, mt_arg* results, int32_t max_results,
                      int32_t* nresults) {
  return guarded([&] {
    auto& handle = *static_cast<c10::OperatorHandle*>(op);
    const auto& schema = handle.schema();
    const size_t formal = schema.arguments().size();
    TORCH_CHECK(static_cast<size_t>(nargs) <= formal, schema.operator_name().name, " takes ", formal,
                " arguments but ", nargs, " were given");
    torch::jit::Stack stack;
    stack.reserve(formal);
    for (size_t k = 0; k < formal; ++k) {
      if (k < static_cast<size_t>(nargs)) {
        stack.push_back(to_ivalue(args[k], schema, k));
      } else {
        const auto& dv = schema.arguments()[k].default_value();
        TORCH_CHECK(dv.has_value(), "missing ", describe_arg(schema, k));
        stack.push_back(*dv);
      }
    }
    handle.callBoxed(&stack);
    TORCH_CHECK(stack.size() <= static_cast<size_t>(max_results), "operator returned ", stack.size(),
                " values but only ", max_results, " result slots were given");
    for (size_t k = 0; k < stack.size(); ++k) from_ivalue(stack[k], results[k]);
    *nresults = static_cast<int32_t>(stack.size());
  });
}

// ---------------------------------------------------------------------------------------------------
// Tensor lifetime, metadata and data

MT_API void mt_tensor_free(void* t) { delete static_cast<at::Tensor*>(t); }

MT_API int mt_tensor_info(void* t, int32_t* dtype, int32_t* ndim, int32_t* device_type, int32_t* device_index,
                          int32_t* requires_grad) {
  return guarded([&] {
    auto& x = T(t);
    *dtype = static_cast<int32_t>(x.scalar_type());
    *ndim = static_cast<int32_t>(x.dim());
    *device_type = static_cast<int32_t>(x.device().type());
    *device_index = x.device().index();
    *requires_grad = x.requires_grad() ? 1 : 0;
  });
}

MT_API int mt_tensor_shape(void* t, int64_t* sizes, int64_t* strides, int32_t max) {
  return guarded([&] {
    auto& x = T(t);
    TORCH_CHECK(x.dim() <= max, "tensor has ", x.dim(), " dimensions, more than ", max);
    for (int64_t k = 0; k < x.dim(); ++k) {
      sizes[k] = x.size(k);
      if (strides) strides[k] = x.stride(k);
    }
  });
}

MT_API int mt_tensor_from_data(const void* data, int32_t dtype, const int64_t* shape, int32_t ndim,
                               int32_t device_type, int32_t device_index, void** out) {
  return guarded([&] {
    auto opts = at::TensorOptions().dtype(static_cast<c10::ScalarType>(dtype));
    auto t = at::empty(c10::IntArrayRef(shape, ndim), opts);
    if (data != nullptr && t.nbytes() > 0) std::memcpy(t.data_ptr(), data, t.nbytes());
    auto dev = device_of(device_type, device_index);
    if (dev.type() != c10::DeviceType::CPU) t = t.to(dev);
    *out = new at::Tensor(std::move(t));
  });
}

// Pointer to the first element of a CPU tensor that is contiguous (for zero-copy reads and writes).
MT_API int mt_tensor_data_ptr(void* t, void** out) {
  return guarded([&] {
    auto& x = T(t);
    TORCH_CHECK(x.device().is_cpu(), "data_ptr needs a CPU tensor, got one on ", x.device());
    TORCH_CHECK(x.is_contiguous(), "data_ptr needs a contiguous tensor");
    *out = x.data_ptr();
  });
}

MT_API int mt_tensor_copy_out(void* t, void* dst, int64_t nbytes) {
  return guarded([&] {
    auto x = T(t).detach().to(c10::Device(c10::DeviceType::CPU)).contiguous();
    TORCH_CHECK(static_cast<int64_t>(x.nbytes()) == nbytes, "destination holds ", nbytes,
                " bytes but the tensor has ", x.nbytes());
    if (nbytes > 0) std::memcpy(dst, x.data_ptr(), nbytes);
  });
}

MT_API int mt_tensor_to_string(void* t, char** out) {
  return guarded([&] {
    std::ostringstream ss;
    ss << T(t);
    *out = dup_string(ss.str());
  });
}

MT_API int mt_tensor_same(void* a, void* b, int32_t* out) {
  return guarded([&] { *out = T(a).is_same(T(b)) ? 1 : 0; });
}

// The tensor's version counter (PyTorch's `t._version`): every in-place operation through the dispatcher advances it
// (optimizer steps, copy_, fill_, …; views share their base's counter). -1 for inference tensors, which have none.
MT_API int mt_tensor_version(void* t, int64_t* out) {
  return guarded([&] {
    auto& x = T(t);
    *out = x.is_inference() ? -1 : static_cast<int64_t>(x._version());
  });
}

MT_API int mt_tensor_alias(void* t, void** out) {
  return guarded([&] { *out = new at::Tensor(T(t)); });
}

// ---------------------------------------------------------------------------------------------------
// Autograd

MT_API int mt_tensor_set_requires_grad(void* t, int32_t flag) {
  return guarded([&] { T(t).set_requires_grad(flag != 0); });
}

MT_API int mt_tensor_is_leaf(void* t, int32_t* out) {
  return guarded([&] { *out = T(t).is_leaf() ? 1 : 0; });
}

MT_API int mt_tensor_retain_grad(void* t) {
  return guarded([&] { T(t).retain_grad(); });
}

MT_API int mt_tensor_grad(void* t, void** out) {
  return guarded([&] { *out = new_handle(T(t).grad()); });
}

// Sets .grad (nullptr: None).
MT_API int mt_tensor_set_grad(void* t, void* g) {
  return guarded([&] {
    if (g == nullptr) T(t).mutable_grad().reset();
    else T(t).mutable_grad() = T(g);
  });
}

MT_API int mt_backward(void** tensors, int32_t n, void** grads, int32_t ngrads, int32_t retain_graph,
                       int32_t create_graph) {
  return guarded([&] {
    std::vector<at::Tensor> ts, gs;
    for (int32_t k = 0; k < n; ++k) ts.push_back(T(tensors[k]));
    for (int32_t k = 0; k < ngrads; ++k) gs.push_back(grads[k] ? T(grads[k]) : at::Tensor());
    c10::optional<bool> retain;
    if (retain_graph >= 0) retain = retain_graph != 0;
    torch::autograd::backward(ts, gs, retain, create_graph != 0);
  });
}

// Gradients of outputs with respect to inputs (torch.autograd.grad); unused inputs give nullptr.
MT_API int mt_autograd_grad(void** outputs, int32_t n, void** inputs, int32_t m, void** grad_outputs,
                            int32_t ngrad, int32_t retain_graph, int32_t create_graph, int32_t allow_unused,
                            void** results) {
  return guarded([&] {
    std::vector<at::Tensor> os, is, gs;
    for (int32_t k = 0; k < n; ++k) os.push_back(T(outputs[k]));
    for (int32_t k = 0; k < m; ++k) is.push_back(T(inputs[k]));
    for (int32_t k = 0; k < ngrad; ++k) gs.push_back(grad_outputs[k] ? T(grad_outputs[k]) : at::Tensor());
    c10::optional<bool> retain;
    if (retain_graph >= 0) retain = retain_graph != 0;
    auto r = torch::autograd::grad(os, is, gs, retain, create_graph != 0, allow_unused != 0);
    for (int32_t k = 0; k < m; ++k) results[k] = new_handle(r[k]);
  });
}

MT_API int32_t mt_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }
MT_API void mt_set_grad_enabled(int32_t flag) { c10::GradMode::set_enabled(flag != 0); }

MT_API int mt_inference_mode_enter(int32_t enabled, void** guard) {
  return guarded([&] { *guard = new c10::InferenceMode(enabled != 0); });
}
MT_API void mt_inference_mode_exit(void* guard) { delete static_cast<c10::InferenceMode*>(guard); }
MT_API int32_t mt_is_inference_mode() { return c10::InferenceMode::is_enabled() ? 1 : 0; }

// Automatic mixed precision (as torch.autocast): on entry the region's state for one device type is set and the
// previous one returned; on exit it is restored, and the cache of casted weights is cleared when the outermost region
// ends. libtorch 2.4 made the calls take the device type; 1.13 has one pair of calls per device type.
namespace {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocast_enabled(c10::DeviceType d) { return at::autocast::is_autocast_enabled(d); }
at::ScalarType autocast_dtype(c10::DeviceType d) { return at::autocast::get_autocast_dtype(d); }
void autocast_set(c10::DeviceType d, bool on, at::ScalarType t) {
  at::autocast::set_autocast_enabled(d, on);
  at::autocast::set_autocast_dtype(d, t);
}
#else
bool autocast_enabled(c10::DeviceType d) {
  TORCH_CHECK(d == c10::DeviceType::CUDA || d == c10::DeviceType::CPU, "autocast: only cuda and cpu in this libtorch");
  return d == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
at::ScalarType autocast_dtype(c10::DeviceType d) {
  return d == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void autocast_set(c10::DeviceType d, bool on, at::ScalarType t) {
  if (d == c10::DeviceType::CUDA) {
    at::autocast::set_enabled(on);
    at::autocast::set_autocast_gpu_dtype(t);
  } else {
    at::autocast::set_cpu_enabled(on);
    at::autocast::set_autocast_cpu_dtype(t);
  }
}
#endif
}  // namespace

MT_API int mt_autocast_enter(int32_t device_type, int32_t enabled, int32_t dtype, int32_t* prev_enabled,
                             int32_t* prev_dtype) {
  return guarded([&] {
    auto d = static_cast<c10::DeviceType>(device_type);
    auto t = static_cast<at::ScalarType>(dtype);
    TORCH_CHECK(t == at::kBFloat16 || t == at::kHalf, "autocast: the dtype must be bfloat16 or float16");
    *prev_enabled = autocast_enabled(d) ? 1 : 0;
    *prev_dtype = static_cast<int32_t>(autocast_dtype(d));
    autocast_set(d, enabled != 0, t);
    at::autocast::increment_nesting();
  });
}

MT_API int mt_autocast_exit(int32_t device_type, int32_t prev_enabled, int32_t prev_dtype) {
  return guarded([&] {
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    autocast_set(static_cast<c10::DeviceType>(device_type), prev_enabled != 0, static_cast<at::ScalarType>(prev_dtype));
  });
}

MT_API int32_t mt_autocast_is_enabled(int32_t device_type) {
  try {
    return autocast_enabled(static_cast<c10::DeviceType>(device_type)) ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------------
// Random number generators

MT_API int mt_manual_seed(uint64_t seed) {
  return guarded([&] { torch::manual_seed(seed); });
}

MT_API int mt_generator_default(int32_t device_type, int32_t device_index, void** out) {
  return guarded([&] {
    auto dev = device_of(device_type, device_index);
    *out = new at::Generator(at::globalContext().defaultGenerator(dev));
  });
}

MT_API int mt_generator_new(int32_t device_type, int32_t device_index, uint64_t seed, void** out) {
  return guarded([&] {
    auto dev = device_of(device_type, device_index);
    auto g = at::globalContext().defaultGenerator(dev).clone();
    {
      std::lock_guard<std::mutex> lock(g.mutex());
      g.set_current_seed(seed);
    }
    *out = new at::Generator(std::move(g));
  });
}

MT_API void mt_generator_free(void* g) { delete static_cast<at::Generator*>(g); }

MT_API int mt_generator_seed(void* g, uint64_t seed) {
  return guarded([&] {
    auto& gen = *static_cast<at::Generator*>(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  });
}

MT_API int mt_generator_get_state(void* g, void** out) {
  return guarded([&] {
    auto& gen = *static_cast<at::Generator*>(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    *out = new at::Tensor(gen.get_state());
  });
}

MT_API int mt_generator_set_state(void* g, void* state) {
  return guarded([&] {
    auto& gen = *static_cast<at::Generator*>(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(T(state));
  });
}

// ---------------------------------------------------------------------------------------------------
// Threads and devices

MT_API void mt_set_num_threads(int32_t n) { at::set_num_threads(n); }
MT_API int32_t mt_get_num_threads() { return at::get_num_threads(); }
MT_API int mt_set_num_interop_threads(int32_t n) {
  return guarded([&] { at::set_num_interop_threads(n); });
}

MT_API int32_t mt_cuda_is_available() { return torch::cuda::is_available() ? 1 : 0; }
MT_API int32_t mt_cuda_device_count() { return static_cast<int32_t>(torch::cuda::device_count()); }
MT_API int mt_cuda_synchronize(int32_t device_index) {
  return guarded([&] { torch::cuda::synchronize(device_index); });
}

// Bytes allocated through libtorch's CUDA caching allocator: current and peak since the last reset. Only a shim built
// against a CUDA libtorch has them (MICAR_WITH_CUDA); elsewhere they fail with an explanation.
MT_API int mt_cuda_memory_stats(int32_t device_index, int64_t* allocated, int64_t* peak_allocated, int64_t* reserved) {
  return guarded([&] {
#ifdef MICAR_WITH_CUDA
    auto device = static_cast<c10::DeviceIndex>(device_index >= 0 ? device_index : c10::cuda::current_device());
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device);
    constexpr size_t aggregate = 0;  // StatType::AGGREGATE (its namespace moved between libtorch versions)
    *allocated = stats.allocated_bytes[aggregate].current;
    *peak_allocated = stats.allocated_bytes[aggregate].peak;
    *reserved = stats.reserved_bytes[aggregate].current;
#else
    TORCH_CHECK(false, "CUDA memory statistics: this shim was built against a libtorch without CUDA");
#endif
  });
}

MT_API int mt_cuda_reset_peak_memory(int32_t device_index) {
  return guarded([&] {
#ifdef MICAR_WITH_CUDA
    auto device = static_cast<c10::DeviceIndex>(device_index >= 0 ? device_index : c10::cuda::current_device());
    c10::cuda::CUDACachingAllocator::resetPeakStats(device);
#else
    TORCH_CHECK(false, "CUDA memory statistics: this shim was built against a libtorch without CUDA");
#endif
  });
}

// ---------------------------------------------------------------------------------------------------
// Host memory: a cache of large CPU blocks.
//
// glibc serves every allocation above 32 MiB with a fresh mmap and unmaps it on free, so each training step faults in
// (and the kernel zeroes) every large activation again: on the COVCTR step that is several GB per step and a third of
// the wall time in the kernel. This allocator keeps freed blocks of at least 1 MiB (sizes rounded up to 64 KiB) and
// hands them back for requests of the same rounded size (or a little smaller: a block up to twice the request is
// taken and its tail unmapped), up to a bound on the bytes it holds unused; smaller requests
// and everything beyond the bound go to libtorch's default allocator / back to the system. Installed on request.
//
// Footprint: the cache never makes the process hold more than it needed at its busiest. Before a request no cached
// block fits is served with fresh memory, cached blocks of other sizes are freed until live + cached bytes stay within
// the high-water mark of live bytes (or within live + the request when that is higher). Peak resident memory is then
// that of the uncached allocator, while a training loop that repeats the same sizes step after step still reuses.
// Blocks are mmapped, so what the cache gives up leaves the process at once (see Map).

namespace {

constexpr size_t kCacheMin = size_t(1) << 20;
constexpr size_t kRound = size_t(64) << 10;

struct CachingCpuAllocator final : at::Allocator {
  at::Allocator* base = nullptr;
  mutable std::mutex mu;
  mutable std::map<size_t, std::vector<void*>> free_blocks;            // rounded size -> unused blocks
  mutable std::unordered_map<void*, size_t> sizes;                     // every block this allocator made
  mutable size_t held = 0;                                             // bytes in free_blocks
  mutable size_t live = 0;                                             // bytes handed out and not yet freed
  mutable size_t peak_live = 0;                                        // high-water mark of live
  mutable int64_t fresh = 0;                                           // requests served with new memory
  size_t limit = 0;

  static void Delete(void* p);

  // libtorch 1.13 declares `allocate(size_t) const`, 2.3 and later `allocate(size_t)`: define both (no `override`) so
  // the shim builds against either; each overrides whichever the headers declare.
  at::DataPtr allocate(size_t n) const { return Allocate(n); }
  at::DataPtr allocate(size_t n) { return Allocate(n); }

  at::DataPtr Allocate(size_t n) const {
    if (n < kCacheMin) return base->allocate(n);
    size_t size = (n + kRound - 1) / kRound * kRound;
    {
      // The smallest cached block of at least `size` and at most twice it; a larger one gives its tail back.
      void* p = nullptr;
      size_t found = 0;
      {
        std::lock_guard<std::mutex> lock(mu);
        for (auto it = free_blocks.lower_bound(size); it != free_blocks.end() && it->first <= 2 * size; ++it) {
          if (it->second.empty()) continue;
          p = it->second.back();
          found = it->first;
          it->second.pop_back();
          held -= found;
          HandOut(p, size);
          break;
        }
      }
      if (p != nullptr) {
        if (found > size) Unmap(static_cast<char*>(p) + size, found - size);
        return {p, p, &CachingCpuAllocator::Delete, at::Device(at::DeviceType::CPU)};
      }
    }
    // Keep live + held within the high-water mark of live bytes (see above).
    {
      size_t need = 0;
      {
        std::lock_guard<std::mutex> lock(mu);
        size_t bound = std::max(peak_live, live + size);
        need = live + size + held > bound ? live + size + held - bound : 0;
      }
      if (need > 0) Evict(need);
    }
    void* p = Map(size);
    if (p == nullptr) {
      Trim(0);  // give the cached blocks back and try once more
      p = Map(size);
      TORCH_CHECK(p != nullptr, "micar host allocator: out of memory allocating ", size, " bytes");
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      HandOut(p, size);
      ++fresh;
    }
    return {p, p, &CachingCpuAllocator::Delete, at::Device(at::DeviceType::CPU)};
  }

  // Records block `p` of `size` bytes as live (lock held).
  void HandOut(void* p, size_t size) const {
    sizes[p] = size;
    live += size;
    peak_live = std::max(peak_live, live);
  }

  at::DeleterFnPtr raw_deleter() const override { return &CachingCpuAllocator::Delete; }

  // Newer libtorch declares this pure virtual; 1.13 does not have it (hence no `override`).
  void copy_data(void* dest, const void* src, std::size_t count) const { std::memcpy(dest, src, count); }

  // Blocks are mapped and unmapped directly (not through malloc), so a block given back leaves the process at once
  // instead of staying in malloc's heap (below glibc's adaptive mmap threshold freed memory is kept for reuse).
  static void* Map(size_t size) {
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? nullptr : p;
  }
  static void Unmap(void* p, size_t size) { munmap(p, size); }

  // Our blocks come here through their DataPtr, and so do small blocks the base allocator made for raw_allocate():
  // libtorch frees those with raw_deleter(), which is ours. They are not in `sizes` and are the base allocator's
  // malloc memory (dropping them instead raised the COVCTR worker's peak RSS by 530 MB).
  void Release(void* p) const {
    size_t size = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = sizes.find(p);
      if (it != sizes.end()) {
        size = it->second;
        live -= size;
        if (held + size <= limit) {
          free_blocks[size].push_back(p);
          held += size;
          return;
        }
        sizes.erase(it);
      }
    }
    if (size == 0) std::free(p);
    else Unmap(p, size);
  }

  // Frees cached blocks, largest first, until `bytes` are freed or none is left.
  void Evict(size_t bytes) const {
    std::vector<std::pair<void*, size_t>> to_free;
    {
      std::lock_guard<std::mutex> lock(mu);
      size_t done = 0;
      for (auto it = free_blocks.rbegin(); it != free_blocks.rend() && done < bytes; ++it) {  // sizes descending
        auto& [size, blocks] = *it;
        while (done < bytes && !blocks.empty()) {
          to_free.emplace_back(blocks.back(), size);
          sizes.erase(blocks.back());
          blocks.pop_back();
          held -= size;
          done += size;
        }
      }
    }
    for (auto [p, size] : to_free) Unmap(p, size);
  }

  // Frees cached blocks until at most `keep` bytes are held.
  void Trim(size_t keep) const {
    size_t excess = 0;
    {
      std::lock_guard<std::mutex> lock(mu);
      excess = held > keep ? held - keep : 0;
    }
    if (excess > 0) Evict(excess);
  }
};

// Never destroyed: tensors freed during process exit still return their blocks through it.
CachingCpuAllocator& g_host_cache = *new CachingCpuAllocator();
std::once_flag g_host_cache_installed;

void CachingCpuAllocator::Delete(void* p) { g_host_cache.Release(p); }

}  // namespace

// Sets the most bytes of unused large blocks kept for reuse (0 frees them and stops caching; the allocator stays
// installed, so blocks still in use return through it).
MT_API int mt_host_cache_set_limit(int64_t bytes) {
  return guarded([&] {
    TORCH_CHECK(bytes >= 0, "host cache limit must not be negative");
    std::call_once(g_host_cache_installed, [] {
      g_host_cache.base = c10::GetCPUAllocator();
      c10::SetCPUAllocator(&g_host_cache, /*priority=*/1);
    });
    {
      std::lock_guard<std::mutex> lock(g_host_cache.mu);
      g_host_cache.limit = static_cast<size_t>(bytes);
    }
    g_host_cache.Trim(static_cast<size_t>(bytes));
  });
}

// One consistent snapshot: bytes cached unused, blocks managed (live + cached), the limit, bytes live, the high-water
// mark of live bytes, and how many requests got fresh memory.
MT_API int mt_host_cache_stats(int64_t* held, int64_t* blocks, int64_t* limit, int64_t* live, int64_t* peak_live,
                               int64_t* fresh) {
  return guarded([&] {
    std::lock_guard<std::mutex> lock(g_host_cache.mu);
    *held = static_cast<int64_t>(g_host_cache.held);
    *blocks = static_cast<int64_t>(g_host_cache.sizes.size());
    *limit = static_cast<int64_t>(g_host_cache.limit);
    *live = static_cast<int64_t>(g_host_cache.live);
    *peak_live = static_cast<int64_t>(g_host_cache.peak_live);
    *fresh = g_host_cache.fresh;
  });
}

// Restarts the high-water mark of live bytes from the bytes live now (and frees cached blocks above it).
MT_API int mt_host_cache_reset_peak() {
  return guarded([&] {
    {
      std::lock_guard<std::mutex> lock(g_host_cache.mu);
      g_host_cache.peak_live = g_host_cache.live;
    }
    g_host_cache.Trim(0);
  });
}

// ---- operator profiler -------------------------------------------------------------------------------------
// Counts every ATen operator and autograd node that runs between start and stop (RecordFunction callbacks, as
// torch.profiler's CPU side does), with inclusive and self wall time per name. Nesting is tracked per thread, so
// `self` excludes the operators an operator calls (aten::linear → aten::addmm). Cost: two clock reads and a map
// update per operator while on; nothing while off.
namespace {

struct OpStat {
  int64_t calls = 0;
  int64_t total_ns = 0;
  int64_t self_ns = 0;
};

struct ProfilerFrame {
  int64_t start_ns;
  int64_t child_ns;
  std::string key;   // name and input shapes, taken at entry while the inputs are valid (shapes mode only)
};

std::mutex g_prof_mu;
std::unordered_map<std::string, OpStat> g_prof_stats;
OpStat g_prof_top;   // operators not called by another operator: what the host asked for
at::CallbackHandle g_prof_handle = 0;
bool g_prof_on = false;
bool g_prof_shapes = false;   // key rows by name and input shapes, as torch.profiler's group_by_input_shape
thread_local std::vector<ProfilerFrame> t_prof_stack;

// "name [2, 3] [3] []": tensor inputs' sizes (undefined tensors and other arguments as []).
std::string name_with_shapes(const at::RecordFunction& fn) {
  std::string key = fn.name();
  for (const c10::IValue& v : fn.inputs()) {
    key += " [";
    if (v.isTensor() && v.toTensor().defined()) {
      auto sizes = v.toTensor().sizes();
      for (size_t i = 0; i < sizes.size(); i++) key += (i ? ", " : "") + std::to_string(sizes[i]);
    }
    key += ']';
  }
  return key;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::unique_ptr<at::ObserverContext> prof_enter(const at::RecordFunction& fn) {
  t_prof_stack.push_back({0, 0, g_prof_shapes ? name_with_shapes(fn) : std::string()});
  t_prof_stack.back().start_ns = now_ns();
  return nullptr;
}

void prof_exit(const at::RecordFunction& fn, at::ObserverContext*) {
  if (t_prof_stack.empty()) return;   // started before the profiler was switched on
  int64_t end = now_ns();
  ProfilerFrame f = std::move(t_prof_stack.back());
  t_prof_stack.pop_back();
  int64_t total = end - f.start_ns;
  bool top = t_prof_stack.empty();
  if (!top) t_prof_stack.back().child_ns += total;
  std::lock_guard<std::mutex> lock(g_prof_mu);
  if (top) {
    g_prof_top.calls += 1;
    g_prof_top.total_ns += total;
  }
  OpStat& s = f.key.empty() ? g_prof_stats[fn.name()] : g_prof_stats[f.key];
  s.calls += 1;
  s.total_ns += total;
  s.self_ns += total - f.child_ns;
}

}  // namespace

// Starts counting operators (clearing earlier counts), per name or, with record_shapes, per name and input shapes;
// on every thread, or with this_thread_only on the calling thread alone (which must then also stop it). Fails if the
// profiler is already on.
MT_API int mt_profiler_start(int32_t record_shapes, int32_t this_thread_only) {
  return guarded([&] {
    std::lock_guard<std::mutex> lock(g_prof_mu);
    TORCH_CHECK(!g_prof_on, "the operator profiler is already running");
    g_prof_stats.clear();
    g_prof_top = OpStat{};
    g_prof_shapes = record_shapes != 0;
    auto callback = at::RecordFunctionCallback(prof_enter, prof_exit)
                        .needsInputs(g_prof_shapes)
                        .scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION});
    g_prof_handle = this_thread_only != 0 ? at::addThreadLocalCallback(std::move(callback))
                                          : at::addGlobalCallback(std::move(callback));
    g_prof_on = true;
  });
}

// Stops counting and returns one line per operator: name \t calls \t total ns \t self ns (free with mt_free), and
// the calls and time of the outermost operators (those no other operator called).
MT_API int mt_profiler_stop(char** out, int64_t* top_calls, int64_t* top_ns) {
  return guarded([&] {
    std::lock_guard<std::mutex> lock(g_prof_mu);
    TORCH_CHECK(g_prof_on, "the operator profiler is not running");
    at::removeCallback(g_prof_handle);
    g_prof_on = false;
    std::ostringstream s;
    for (const auto& [name, st] : g_prof_stats)
      s << name << '\t' << st.calls << '\t' << st.total_ns << '\t' << st.self_ns << '\n';
    g_prof_stats.clear();
    *top_calls = g_prof_top.calls;
    *top_ns = g_prof_top.total_ns;
    *out = dup_string(s.str());
  });
}
