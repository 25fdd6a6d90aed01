// Micar native shim: what every translation unit of the C ABI shares. Every entry point returns 0 on success and 1 on
// failure; C++ exceptions never cross the boundary, and the failure message (libtorch's own explanation) is available
// from mt_last_error() on the same thread.
#pragma once

#include <c10/util/Exception.h>

#include <exception>
#include <string>

#define MT_API extern "C" __attribute__((visibility("default")))

namespace micar {

// The calling thread's last failure message (defined in micar_native.cpp, read by mt_last_error()).
std::string& last_error();

// Runs f, turning any exception into status 1 and last_error().
template <class F>
int guarded(F&& f) {
  try {
    f();
    return 0;
  } catch (const c10::Error& e) {
    last_error() = e.what_without_backtrace();
  } catch (const std::exception& e) {
    last_error() = e.what();
  } catch (...) {
    last_error() = "unknown C++ exception";
  }
  return 1;
}

}  // namespace micar
