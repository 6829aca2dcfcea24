// EDDY_DCHECK(condition, message): states an internal invariant — a failed one is a bug in Eddy,
// never a user error (those throw with context). Checked when EDDY_ENABLE_DCHECK is defined
// (Debug and sanitizer builds; CMake option EDDY_ENABLE_DCHECK): a failed check prints
// file:line, the condition and the message to stderr, then aborts. Otherwise the condition is
// compiled but never evaluated, so checks cost nothing in Release builds and cannot rot.
// `message` is a C string naming the invariant.
//
// ThreadOwner records which thread an object belongs to, for methods documented as callable on
// one thread only (a task's thread). Without checks it is empty: as a [[no_unique_address]]
// member it takes no space.
#pragma once

#ifdef EDDY_ENABLE_DCHECK
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#endif

namespace eddy {

#ifdef EDDY_ENABLE_DCHECK

inline constexpr bool kDcheckEnabled = true;

namespace internal {
[[noreturn]] inline void dcheck_failed(const char* file, int line, const char* condition,
                                       const char* message) {
  std::fprintf(stderr, "%s:%d: EDDY_DCHECK(%s) failed: %s\n", file, line, condition, message);
  std::fflush(stderr);
  std::abort();
}
}  // namespace internal

#define EDDY_DCHECK(condition, message) \
  ((condition) ? static_cast<void>(0)   \
               : ::eddy::internal::dcheck_failed(__FILE__, __LINE__, #condition, message))

class ThreadOwner {
 public:
  ThreadOwner() = default;
  // A copy is a new object: it belongs to no thread yet.
  ThreadOwner(const ThreadOwner&) {}
  ThreadOwner& operator=(const ThreadOwner&) {
    release();
    return *this;
  }

  // True if the calling thread owns the object. The first thread to ask becomes its owner.
  bool claim() {
    const std::thread::id self = std::this_thread::get_id();
    std::thread::id expected{};
    return owner_.compare_exchange_strong(expected, self) || expected == self;
  }
  // The object moves to another thread (the next claim() decides which).
  void release() { owner_.store(std::thread::id{}); }

 private:
  std::atomic<std::thread::id> owner_{};
};

#else

inline constexpr bool kDcheckEnabled = false;

// sizeof keeps the condition compiled (names must exist, types must check) but unevaluated.
#define EDDY_DCHECK(condition, message) \
  static_cast<void>(sizeof(static_cast<bool>(condition)) + sizeof(message))

class ThreadOwner {
 public:
  // Only meaningful inside EDDY_DCHECK, which does not evaluate it in this build.
  bool claim() { return true; }
  void release() {}
};

#endif

}  // namespace eddy
