// Micar native shim, distributed part: libtorch's own c10d — key-value stores (TCPStore for several machines,
// FileStore for one) and process groups (Gloo for CPU tensors; NCCL where the libtorch has it is left to a CUDA build)
// with the collectives data-parallel training needs: allreduce, broadcast, allgather, barrier. Every call waits for
// its work with the group's timeout, so a dead or silent peer ends in an error, never a hang.
// Built when Gloo's headers are found (Debian: libgloo-dev); otherwise every entry point reports that.
// Same conventions as micar_native.cpp (micar_shim.h): 0 on success, 1 on failure with the message in mt_last_error().

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#ifdef MICAR_WITH_GLOO
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#endif

#include "micar_shim.h"

namespace {

using micar::guarded;

#ifdef MICAR_WITH_GLOO
struct StoreBox {
  c10::intrusive_ptr<c10d::Store> store;
};

struct GroupBox {
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  std::chrono::milliseconds timeout;
};

std::vector<at::Tensor> tensors_of(void** ts, int32_t n) {
  std::vector<at::Tensor> v;
  v.reserve(n);
  for (int32_t k = 0; k < n; ++k) v.push_back(*static_cast<at::Tensor*>(ts[k]));
  return v;
}

void allreduce_sum(GroupBox& g, at::Tensor& t, const char* what);

// Sums the gradient buckets across the group without dividing by the world size: the caller weights each rank's loss
// (DDP's default hook averages; Micar's data-parallel step sums gradients of token-share-weighted losses).
class SumCommHook : public c10d::CommHookInterface {
 public:
  explicit SumCommHook(GroupBox* g) : g_(g) {}

  c10::intrusive_ptr<c10::ivalue::Future> runHook(c10d::GradBucket& bucket) override {
    std::vector<at::Tensor> tensors{bucket.getBufferRef()};
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    o.timeout = g_->timeout;
    return g_->group->allreduce(tensors, o)->getFuture();
  }

  at::Tensor parseHookResult(const c10::IValue& result) override {
    if (result.isTensor()) return result.toTensor();
    TORCH_CHECK(result.isTensorList(), "gradient bucket all-reduce returned ", result.tagKind(), ", not tensors");
    return result.toTensorList().get(0);
  }

 private:
  GroupBox* g_;
};

struct ReducerBox {
  std::unique_ptr<c10d::Reducer> reducer;
};

// Passes every warning on except the Reducer's advice to turn find_unused_parameters off when a step used every
// parameter: Micar searches for unused parameters on purpose (sparse expert dispatch leaves some without gradient on
// some steps), and the advice names a Python constructor its users never called.
class ReducerWarnings : public c10::WarningHandler {
 public:
  explicit ReducerWarnings(c10::WarningHandler* next) : next_(next) {}

  void process(const c10::SourceLocation& where, const std::string& msg, const bool verbatim) override {
    if (msg.rfind("find_unused_parameters=True was specified", 0) == 0) return;
    next_->process(where, msg, verbatim);
  }

 private:
  c10::WarningHandler* next_;
};

// A sum over the group that autograd differentiates: forward all-reduces a copy of the input, backward all-reduces the
// incoming gradient (every rank's output depends on every rank's input). SyncBatchNorm's statistics go through it.
struct AllReduceSumFn : public torch::autograd::Function<AllReduceSumFn> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, int64_t group) {
    ctx->saved_data["group"] = group;
    auto y = x.clone(at::MemoryFormat::Contiguous);
    allreduce_sum(*reinterpret_cast<GroupBox*>(group), y, "allreduce (forward)");
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto* g = reinterpret_cast<GroupBox*>(ctx->saved_data["group"].toInt());
    auto dx = grads[0].clone(at::MemoryFormat::Contiguous);
    allreduce_sum(*g, dx, "allreduce (backward)");
    return {dx, at::Tensor()};
  }
};

// Waits for the work with the group's timeout; a failed or timed-out collective throws with its reason.
void finish(const c10::intrusive_ptr<c10d::Work>& work, const GroupBox& g, const char* what) {
  bool done = work->wait(g.timeout);
  TORCH_CHECK(done, what, " did not finish within ", g.timeout.count(), " ms (a peer is gone or stalled)");
}

void allreduce_sum(GroupBox& g, at::Tensor& t, const char* what) {
  std::vector<at::Tensor> v{t};
  c10d::AllreduceOptions o;
  o.reduceOp = c10d::ReduceOp::SUM;
  o.timeout = g.timeout;
  finish(g.group->allreduce(v, o), g, what);
}
#endif

}  // namespace

MT_API int mt_dist_available() {
#ifdef MICAR_WITH_GLOO
  return 1;
#else
  return 0;
#endif
}

#ifdef MICAR_WITH_GLOO

MT_API int mt_store_tcp(const char* host, int32_t port, int32_t world_size, int32_t is_server, int64_t timeout_ms, void** out) {
  return guarded([&] {
    c10d::TCPStoreOptions o;
    o.port = static_cast<std::uint16_t>(port);
    o.isServer = is_server != 0;
    o.numWorkers = static_cast<std::size_t>(world_size);
    o.waitWorkers = false;
    o.timeout = std::chrono::milliseconds(timeout_ms);
    auto store = c10::make_intrusive<c10d::TCPStore>(std::string(host), o);
    *out = new StoreBox{store};
  });
}

// The port a TCP store listens on or connects to (the one the system chose when the server was created with port 0).
MT_API int mt_store_tcp_port(void* store, int32_t* port) {
  return guarded([&] {
    auto* tcp = dynamic_cast<c10d::TCPStore*>(static_cast<StoreBox*>(store)->store.get());
    TORCH_CHECK(tcp != nullptr, "not a TCP store");
    *port = tcp->getPort();
  });
}

MT_API int mt_store_file(const char* path, int32_t world_size, int64_t timeout_ms, void** out) {
  return guarded([&] {
    auto store = c10::make_intrusive<c10d::FileStore>(std::string(path), world_size);
    store->setTimeout(std::chrono::milliseconds(timeout_ms));
    *out = new StoreBox{store};
  });
}

MT_API int mt_store_prefix(void* store, const char* prefix, void** out) {
  return guarded([&] {
    auto* s = static_cast<StoreBox*>(store);
    *out = new StoreBox{c10::make_intrusive<c10d::PrefixStore>(std::string(prefix), s->store)};
  });
}

MT_API int mt_store_set(void* store, const char* key, const uint8_t* value, int64_t n) {
  return guarded([&] {
    static_cast<StoreBox*>(store)->store->set(key, std::vector<uint8_t>(value, value + n));
  });
}

// Waits for the key (the store's timeout), then returns its value (free with mt_free).
MT_API int mt_store_get(void* store, const char* key, uint8_t** value, int64_t* n) {
  return guarded([&] {
    auto v = static_cast<StoreBox*>(store)->store->get(key);
    auto* p = static_cast<uint8_t*>(std::malloc(std::max<size_t>(1, v.size())));
    std::copy(v.begin(), v.end(), p);
    *value = p;
    *n = static_cast<int64_t>(v.size());
  });
}

MT_API void mt_store_free(void* store) { delete static_cast<StoreBox*>(store); }

MT_API int mt_pg_gloo(void* store, int32_t rank, int32_t size, int64_t timeout_ms, const char* hostname, void** out) {
  return guarded([&] {
    auto opts = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(timeout_ms));
    opts->devices.push_back(hostname != nullptr && hostname[0] != '\0'
                                ? c10d::ProcessGroupGloo::createDeviceForHostname(hostname)
                                : c10d::ProcessGroupGloo::createDefaultDevice());
    opts->threads = 2;
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(static_cast<StoreBox*>(store)->store, rank, size, opts);
    *out = new GroupBox{group, std::chrono::milliseconds(timeout_ms)};
  });
}

MT_API void mt_pg_free(void* group) { delete static_cast<GroupBox*>(group); }

// op: 0 sum, 2 product, 3 min, 4 max (c10d::ReduceOp); in place on every tensor.
MT_API int mt_pg_allreduce(void* group, void** tensors, int32_t n, int32_t op) {
  return guarded([&] {
    auto& g = *static_cast<GroupBox*>(group);
    auto v = tensors_of(tensors, n);
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp(static_cast<c10d::ReduceOp::RedOpType>(op));
    o.timeout = g.timeout;
    finish(g.group->allreduce(v, o), g, "allreduce");
  });
}

MT_API int mt_pg_broadcast(void* group, void** tensors, int32_t n, int32_t root) {
  return guarded([&] {
    auto& g = *static_cast<GroupBox*>(group);
    auto v = tensors_of(tensors, n);
    c10d::BroadcastOptions o;
    o.rootRank = root;
    o.timeout = g.timeout;
    finish(g.group->broadcast(v, o), g, "broadcast");
  });
}

// outputs: size tensors shaped like input, filled with every rank's input in rank order.
MT_API int mt_pg_allgather(void* group, void* input, void** outputs, int32_t size) {
  return guarded([&] {
    auto& g = *static_cast<GroupBox*>(group);
    std::vector<at::Tensor> in{*static_cast<at::Tensor*>(input)};
    std::vector<std::vector<at::Tensor>> out{tensors_of(outputs, size)};
    c10d::AllgatherOptions o;
    o.timeout = g.timeout;
    finish(g.group->allgather(out, in, o), g, "allgather");
  });
}

MT_API int mt_pg_barrier(void* group) {
  return guarded([&] {
    auto& g = *static_cast<GroupBox*>(group);
    c10d::BarrierOptions o;
    o.timeout = g.timeout;
    finish(g.group->barrier(o), g, "barrier");
  });
}

// The sum of x over the group as a differentiable operation (AllReduceSumFn); *out is a new tensor.
MT_API int mt_pg_allreduce_autograd(void* group, void* x, void** out) {
  return guarded([&] {
    auto y = AllReduceSumFn::apply(*static_cast<at::Tensor*>(x), reinterpret_cast<int64_t>(group));
    *out = new at::Tensor(std::move(y));
  });
}

// c10d's Reducer (the engine of PyTorch's DistributedDataParallel) over the given parameters: autograd hooks copy each
// gradient into its bucket as backward produces it, and a full bucket is all-reduced (summed, SumCommHook) while
// backward goes on; backward returns with every parameter's .grad holding the sum over ranks. Buckets as DDP makes
// them: a first bucket of first_bucket_bytes, then bucket_bytes, in reverse parameter order (the order backward
// produces gradients). find_unused: before each backward, search the graph for parameters it does not reach (experts
// no token chose), so buckets complete; a parameter unused on every rank keeps no gradient.
MT_API int mt_reducer_new(void* group, void** params, int32_t n, int64_t bucket_bytes, int64_t first_bucket_bytes,
                          int32_t find_unused, void** out) {
  return guarded([&] {
    auto* g = static_cast<GroupBox*>(group);
    auto ps = tensors_of(params, n);
    for (int32_t k = 0; k < n; ++k)
      TORCH_CHECK(ps[k].requires_grad(), "parameter ", k, " does not require a gradient (give the reducer trainable parameters only)");
    std::vector<bool> sparse(ps.size(), false);
    auto assigned = c10d::compute_bucket_assignment_by_size(
        ps, {static_cast<size_t>(first_bucket_bytes), static_cast<size_t>(bucket_bytes)}, sparse);
    auto buckets = std::get<0>(assigned);
    auto limits = std::get<1>(assigned);
    std::reverse(buckets.begin(), buckets.end());
    std::reverse(limits.begin(), limits.end());
    std::unordered_map<size_t, std::string> names;
    auto reducer = std::make_unique<c10d::Reducer>(ps, buckets, limits, g->group, sparse, bucket_bytes,
                                                   find_unused != 0, /*gradient_as_bucket_view=*/false, names,
                                                   first_bucket_bytes);
    reducer->register_comm_hook(std::make_unique<SumCommHook>(g));
    *out = new ReducerBox{std::move(reducer)};
  });
}

// Called after the forward pass, before backward on outputs (the loss).
MT_API int mt_reducer_prepare(void* reducer, void** outputs, int32_t n) {
  return guarded([&] {
    ReducerWarnings filter(c10::Warning::get_warning_handler());
    c10::Warning::WarningHandlerGuard guard(&filter);
    static_cast<ReducerBox*>(reducer)->reducer->prepare_for_backward(tensors_of(outputs, n));
  });
}

MT_API int mt_reducer_bucket_count(void* reducer, int32_t* count) {
  return guarded([&] { *count = static_cast<int32_t>(static_cast<ReducerBox*>(reducer)->reducer->get_grad_buckets(false).size()); });
}

MT_API void mt_reducer_free(void* reducer) {
  try {
    delete static_cast<ReducerBox*>(reducer);
  } catch (...) {
  }
}

#else  // no Gloo headers at build time

namespace {
int unavailable() {
  micar::last_error() = "distributed training is not available: the native shim was built without Gloo (install libgloo-dev and rebuild)";
  return 1;
}
}  // namespace

MT_API int mt_store_tcp(const char*, int32_t, int32_t, int32_t, int64_t, void**) { return unavailable(); }
MT_API int mt_store_tcp_port(void*, int32_t*) { return unavailable(); }
MT_API int mt_store_file(const char*, int32_t, int64_t, void**) { return unavailable(); }
MT_API int mt_store_prefix(void*, const char*, void**) { return unavailable(); }
MT_API int mt_store_set(void*, const char*, const uint8_t*, int64_t) { return unavailable(); }
MT_API int mt_store_get(void*, const char*, uint8_t**, int64_t*) { return unavailable(); }
MT_API void mt_store_free(void*) {}
MT_API int mt_pg_gloo(void*, int32_t, int32_t, int64_t, const char*, void**) { return unavailable(); }
MT_API void mt_pg_free(void*) {}
MT_API int mt_pg_allreduce(void*, void**, int32_t, int32_t) { return unavailable(); }
MT_API int mt_pg_broadcast(void*, void**, int32_t, int32_t) { return unavailable(); }
MT_API int mt_pg_allgather(void*, void*, void**, int32_t) { return unavailable(); }
MT_API int mt_pg_barrier(void*) { return unavailable(); }
MT_API int mt_pg_allreduce_autograd(void*, void*, void**) { return unavailable(); }
MT_API int mt_reducer_new(void*, void**, int32_t, int64_t, int64_t, int32_t, void**) { return unavailable(); }
MT_API int mt_reducer_prepare(void*, void**, int32_t) { return unavailable(); }
MT_API int mt_reducer_bucket_count(void*, int32_t*) { return unavailable(); }
MT_API void mt_reducer_free(void*) {}

#endif
