#pragma once
// SwappedTree: a specs tree whose files and folders a thread swaps for symlinks to files
// outside it, while the test loads it: 001-file/README.md with an absolute link,
// 002-rel/README.md with a relative one, 003-folder with a link to a folder outside. What lies
// outside says SECRET, so leaked() tells whether a load read across a swap.

#include "support/temp_spec_tree.hpp"

#include <atomic>
#include <leanspec/query.hpp>
#include <thread>

namespace leanspec::test {

struct SwappedTree {
  TempSpecTree tree;
  std::atomic<bool> stop{false};
  std::atomic<long> swaps{0}; // stops growing if a swap fails
  std::jthread swapper;

  /// Writes the tree and starts the swapping thread.
  SwappedTree();
  /// Stops the thread (joined before the tree is removed) and removes the tree.
  ~SwappedTree();

  /// Whether a snapshot holds anything read outside the tree.
  static bool leaked(const SpecList &list);
};

} // namespace leanspec::test
