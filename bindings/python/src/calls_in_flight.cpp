// The calls in flight of common.hpp: how many threads are inside the library with the GIL
// released, and the wait for none at interpreter exit.
#include "common.hpp"

#include <condition_variable>
#include <mutex>

namespace leanspec::python {
namespace {

struct CallsInFlight {
  std::mutex mutex;
  std::condition_variable idle;
  long count = 0;
};

// Never destroyed: a daemon thread may leave a call while exit() runs static destructors.
CallsInFlight &calls() {
  static auto *const instance = new CallsInFlight;
  return *instance;
}

} // namespace

void ReleaseGil::enter_call() noexcept {
  const std::lock_guard lock(calls().mutex);
  ++calls().count;
}

void ReleaseGil::leave_call() noexcept {
  const std::lock_guard lock(calls().mutex);
  if (--calls().count == 0)
    calls().idle.notify_all();
}

void bind_calls_in_flight(py::module_ &m) {
  m.def(
      "_wait_for_calls",
      [](double seconds) {
        // Not a ReleaseGil: this wait is not a call of the library.
        PyThreadState *const state = PyEval_SaveThread();
        bool done;
        {
          std::unique_lock lock(calls().mutex);
          done = calls().idle.wait_for(lock, std::chrono::duration<double>(seconds),
                                       [] { return calls().count == 0; });
        }
        PyEval_RestoreThread(state);
        return done;
      },
      py::arg("seconds"),
      "Waits until no thread is inside the library or `seconds` have passed; True when none "
      "is. Registered with atexit by the package.");
}

} // namespace leanspec::python
