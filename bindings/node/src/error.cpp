// Binds include/leanspec/error.hpp: leanspec::Error -> JS Error with `code`, translated here
// only, and the promise worker every call that may touch disk, a database or wait goes through.
#include "addon.hpp"

#include <new>
#include <utility>

namespace leanspec::node {

Napi::Error make_error(Napi::Env env, std::string_view code, const std::string &message) {
  auto error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code.data(), code.size()));
  return error;
}

void throw_invalid(Napi::Env env, const std::string &message) {
  throw make_error(env, to_string(ErrorCode::invalid_argument), message);
}

Failure current_failure() noexcept {
  try {
    throw;
  } catch (const Error &e) {
    return {std::string(to_string(e.code())), e.what()};
  } catch (const std::bad_alloc &) {
    return {std::string(to_string(ErrorCode::internal)), "out of memory"};
  } catch (const std::exception &e) {
    return {std::string(to_string(ErrorCode::internal)), e.what()};
  } catch (...) {
    return {std::string(to_string(ErrorCode::internal)), "unknown error"};
  }
}

namespace {

// Execute() runs `work` on a libuv pool thread; OnOK() settles the promise on the JS thread.
// Failures never go through AsyncWorker::SetError, which would lose the code.
class PromiseWorker final : public Napi::AsyncWorker {
public:
  PromiseWorker(Napi::Env env, std::function<Finish()> work)
      : Napi::AsyncWorker(env, "leanspec"), deferred_(Napi::Promise::Deferred::New(env)),
        work_(std::move(work)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

protected:
  void Execute() override {
    try {
      finish_ = work_();
    } catch (...) {
      failure_ = current_failure();
    }
    work_ = nullptr; // what it holds (a source, perhaps the last reference) goes here, off the loop
  }

  void OnOK() override {
    const Napi::Env env = Env();
    if (failure_) {
      deferred_.Reject(make_error(env, failure_->code, failure_->message).Value());
      return;
    }
    try {
      deferred_.Resolve(finish_(env));
    } catch (const Napi::Error &e) {
      deferred_.Reject(e.Value());
    }
    finish_ = nullptr;
  }

private:
  Napi::Promise::Deferred deferred_;
  std::function<Finish()> work_;
  Finish finish_;
  std::optional<Failure> failure_;
};

} // namespace

Napi::Promise run_async(Napi::Env env, std::function<Finish()> work) {
  auto *worker = new PromiseWorker(env, std::move(work)); // deletes itself when settled
  const auto promise = worker->promise();
  worker->Queue();
  return promise;
}

Finish finish_string(std::string text) {
  return [text = std::move(text)](Napi::Env env) -> Napi::Value {
    return Napi::String::New(env, text);
  };
}

Finish finish_undefined() {
  return [](Napi::Env env) -> Napi::Value { return env.Undefined(); };
}

} // namespace leanspec::node
