// The calls in flight of common.hpp: how many threads are inside the library with the GIL
// released, and the wait for none at interpreter exit.
#include "common.hpp"

#include <atomic>
#include <thread>

namespace leanspec::python {
namespace {

// Every call counts in and out, so the count is a lone atomic: no lock on that path. Only the
// exit's wait, which runs once, polls it. Never destroyed: a daemon thread may leave a call
// while exit() runs static destructors.
std::atomic<long> &calls() {
  static auto *const count = new std::atomic<long>(0);
  return *count;
}

} // namespace

void ReleaseGil::enter_call() noexcept { calls().fetch_add(1, std::memory_order_relaxed); }

void ReleaseGil::leave_call() noexcept { calls().fetch_sub(1, std::memory_order_release); }

void bind_calls_in_flight(py::module_ &m) {
  m.def(
      "_wait_for_calls",
      [](double seconds) {
        // Not a ReleaseGil: this wait is not a call of the library.
        PyThreadState *const state = PyEval_SaveThread();
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        bool done;
        while (!(done = calls().load(std::memory_order_acquire) == 0) &&
               std::chrono::steady_clock::now() < deadline)
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        PyEval_RestoreThread(state);
        return done;
      },
      py::arg("seconds"),
      "Waits until no thread is inside the library or `seconds` have passed; True when none "
      "is. Registered with atexit by the package.");
}

} // namespace leanspec::python
