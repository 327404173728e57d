#pragma once
// Internal: the search index builder's large short-lived buffers (search_index_builder.cpp):
// Pages, an array in pages mapped for it alone, and Segmented, a growing array of Pages that
// never moves what it holds. Single-thread.

#include <cstddef>
#include <new>
#include <sys/mman.h>
#include <type_traits>
#include <utility>
#include <vector>

namespace leanspec::detail {

// An array of `size` zero-filled T (trivial types) in pages mapped for it alone, for the
// builder's large short-lived buffers. Freed malloc memory stays in malloc's free lists, where
// the index's arrays, allocated later, often do not fit (so the process grows by both);
// unmapped pages go back to the system at once. The pages are mapped in one call
// (MAP_POPULATE) rather than one fault at a time, which costs ~4 times less on a VM.
template <class T> class Pages {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
  Pages() noexcept = default;
  explicit Pages(std::size_t size) : size_(size) {
    if (size == 0)
      return;
    void *p = ::mmap(nullptr, bytes(), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED)
      throw std::bad_alloc();
    data_ = static_cast<T *>(p);
  }
  Pages(Pages &&other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  Pages &operator=(Pages &&other) noexcept {
    Pages(std::move(other)).swap(*this);
    return *this;
  }
  ~Pages() {
    if (data_)
      ::munmap(data_, bytes());
  }
  void swap(Pages &other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }

  std::size_t size() const noexcept { return size_; }
  T *data() const noexcept { return data_; }
  T &operator[](std::size_t i) const noexcept { return data_[i]; }

private:
  std::size_t bytes() const noexcept { return size_ * sizeof(T); }
  T *data_ = nullptr;
  std::size_t size_ = 0;
};

// A growing array in fixed segments: growing never moves what is there, so it never holds the
// old and the new copy at once (a std::vector of the vocabulary's size would, at each doubling).
template <class T> class Segmented {
public:
  std::size_t size() const noexcept { return size_; }
  T &operator[](std::size_t i) const noexcept { return segments_[i >> shift][i & (segment - 1)]; }
  T &emplace_back() {
    if (size_ == segments_.size() * segment)
      segments_.emplace_back(segment);
    return (*this)[size_++];
  }

private:
  static constexpr std::size_t shift = 14, segment = std::size_t{1} << shift;
  std::vector<Pages<T>> segments_;
  std::size_t size_ = 0;
};

} // namespace leanspec::detail
