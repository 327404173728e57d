// Implements src/fs/watcher.hpp.
//
// One thread per Watcher waits in poll(2) on the inotify descriptor and an eventfd that the
// destructor signals; the timeout is the nearest of the debounce deadline and the next poll.
// Everything but `stopping`, `is_polling` and the diagnostics is touched only by that thread
// (and by the constructor before the thread starts), so it needs no lock.
//
// How the kernel's events become paths:
// - each watched folder's wd maps to its path relative to the root; an event's path is that
//   path plus the event's name;
// - a folder created or moved in gets a watch (when above max_depth) and is scanned right
//   away, every entry found being reported: files written before the watch existed are not
//   missed, and a renamed folder reports its contents under the new name;
// - a folder deleted or moved out loses its watches (its whole subtree): a folder moved
//   within the tree keeps its inode, so the kernel would keep reporting it under the old
//   path; the new watch added for the new name gets a new wd instead;
// - IN_Q_OVERFLOW (the queue holds fs.inotify.max_queued_events): rescan, and every watch is
//   dropped and added again, since folder creations may be among the lost events;
// - the root's IN_DELETE_SELF / IN_MOVE_SELF / IN_UNMOUNT: rescan, then look for the root every
//   poll_interval (the first look is immediate), rescan again once it is back;
// - ENOSPC from inotify_add_watch (fs.inotify.max_user_watches) or a failing read: switch to
//   polling for good, with a diagnostic and a rescan.
#include "fs/watcher.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <dirent.h>
#include <exception>
#include <fcntl.h>
#include <leanspec/error.hpp>
#include <map>
#include <mutex>
#include <poll.h>
#include <pthread.h>
#include <set>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <utility>

namespace leanspec::detail {
namespace {

using Clock = std::chrono::steady_clock;

class UniqueFd {
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd &operator=(UniqueFd &&other) noexcept {
    reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~UniqueFd() { reset(); }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = fd;
  }

private:
  int fd_ = -1;
};

struct DirCloser {
  void operator()(DIR *dir) const noexcept { ::closedir(dir); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

// Folders: what changes inside them, and their own removal or rename. Below the root, a
// symlink is not followed (the loader follows only links that stay inside the tree, whose
// targets are watched where they are).
constexpr std::uint32_t folder_mask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE |
                                      IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF |
                                      IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK;

std::string join(const std::string &folder, std::string_view name) {
  return folder.empty() ? std::string(name) : folder + "/" + std::string(name);
}

int depth_of(std::string_view relative) {
  return relative.empty() ? 0
                          : 1 + static_cast<int>(std::count(relative.begin(), relative.end(), '/'));
}

// Calls f(name, st) for each entry of a folder, with lstat() data. Nothing when it cannot be
// opened (gone, or not a folder): its removal is reported by its parent.
template <class F> void for_each_entry(const std::string &path, bool follow, F &&f) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW)));
  if (!fd)
    return;
  const DirPtr dir(::fdopendir(fd.get()));
  if (!dir)
    return;
  fd.release(); // owned by dir now
  while (const dirent *e = ::readdir(dir.get())) {
    const std::string_view name(e->d_name);
    if (name == "." || name == "..")
      continue;
    struct stat st {};
    if (::fstatat(::dirfd(dir.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      continue; // removed meanwhile
    f(name, st);
  }
}

// What polling compares between two scans.
struct Stamp {
  ino_t inode = 0;
  off_t size = 0;
  mode_t mode = 0;
  timespec mtime{};
  timespec ctime{};
  bool operator==(const Stamp &o) const noexcept {
    return inode == o.inode && size == o.size && mode == o.mode && mtime.tv_sec == o.mtime.tv_sec &&
           mtime.tv_nsec == o.mtime.tv_nsec && ctime.tv_sec == o.ctime.tv_sec &&
           ctime.tv_nsec == o.ctime.tv_nsec;
  }
};
using Tree = std::unordered_map<std::string, Stamp>;

void scan(const std::string &root, const std::string &relative, int max_depth, Tree &out) {
  const int depth = depth_of(relative);
  for_each_entry(relative.empty() ? root : root + "/" + relative, relative.empty(),
                 [&](std::string_view name, const struct stat &st) {
                   const std::string child = join(relative, name);
                   out[child] = {st.st_ino, st.st_size, st.st_mode, st.st_mtim, st.st_ctim};
                   if (S_ISDIR(st.st_mode) && depth + 1 < max_depth && !name.starts_with('.'))
                     scan(root, child, max_depth, out);
                 });
}

bool is_folder(const std::string &path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The root as an absolute path (a later chdir() must not move it), symlinks not resolved: a
// symlinked root stays watched through its link.
std::string absolute_root(const std::filesystem::path &root) {
  std::error_code ec;
  std::string path = std::filesystem::absolute(root, ec).lexically_normal().string();
  if (ec)
    path = root.string();
  while (path.size() > 1 && path.ends_with('/'))
    path.pop_back();
  return path;
}

} // namespace

struct Watcher::Impl {
  Impl(WatcherOptions opts, Callback cb)
      : options(std::move(opts)), callback(std::move(cb)), root(absolute_root(options.root)),
        max_depth(std::max(1, options.max_depth)) {}

  const WatcherOptions options;
  const Callback callback;
  const std::string root;
  const int max_depth;

  // Shared with other threads.
  std::atomic<bool> stopping{false};
  std::atomic<bool> is_polling{false};
  mutable std::mutex diagnostics_mutex;
  std::vector<Diagnostic> diagnostics;

  // The watcher thread's own (and the constructor's, before the thread starts).
  UniqueFd wake;
  UniqueFd inotify;
  std::unordered_map<int, std::string> wd_path;
  std::map<std::string, int> path_wd; // ordered: a subtree is a range
  bool started = false;               // a switch to polling from now on loses track
  bool root_missing = false;
  Tree poll_tree;
  Clock::time_point next_check; // the next poll, or the next look for a missing root
  std::set<std::string> pending;
  bool pending_rescan = false;
  Clock::time_point burst_first, burst_last;
  std::thread thread;

  void diagnose(std::string code, std::string message) {
    const std::lock_guard lock(diagnostics_mutex);
    diagnostics.push_back(
        {Diagnostic::Severity::warning, "", "", 0, std::move(code), std::move(message)});
  }

  // --- the pending batch -------------------------------------------------------------------
  bool has_pending() const { return pending_rescan || !pending.empty(); }
  void touch_burst() {
    const auto now = Clock::now();
    if (!has_pending())
      burst_first = now;
    burst_last = now;
  }
  void note(std::string path) {
    touch_burst();
    pending.insert(std::move(path));
  }
  void note_rescan() {
    touch_burst();
    pending_rescan = true;
  }
  Clock::time_point delivery_time() const {
    return std::min(burst_last + options.debounce, burst_first + options.max_delay);
  }
  void deliver() {
    WatchBatch batch{{pending.begin(), pending.end()}, pending_rescan};
    pending.clear();
    pending_rescan = false;
    if (stopping.load())
      return;
    try {
      callback(std::move(batch));
    } catch (const std::exception &e) {
      diagnose("watch-callback", std::string("the change callback threw: ") + e.what());
    } catch (...) {
      diagnose("watch-callback", "the change callback threw");
    }
  }

  // --- inotify -------------------------------------------------------------------------------
  std::string absolute(const std::string &relative) const {
    return relative.empty() ? root : root + "/" + relative;
  }

  // Watches a folder and, below it, every folder above max_depth; with `report`, every entry
  // found is reported (they may have been written before the watch existed).
  void add_tree(const std::string &relative, bool report) {
    if (!inotify)
      return;
    const std::uint32_t mask = folder_mask | (relative.empty() ? 0 : IN_DONT_FOLLOW);
    const int wd = ::inotify_add_watch(inotify.get(), absolute(relative).c_str(), mask);
    if (wd < 0) {
      const int error = errno;
      if (error == ENOSPC) {
        fall_back("inotify watch limit reached after " + std::to_string(wd_path.size()) +
                  " watches (fs.inotify.max_user_watches)");
      } else if (error == ENOENT || error == ENOTDIR) {
        if (relative.empty()) // else it is gone already, and its parent reports the removal
          root_missing = true;
      } else if (relative.empty()) {
        fall_back(std::string("cannot watch the specs directory (") + std::strerror(error) + ")");
      } else {
        note_rescan(); // EACCES, ENOMEM: whatever is in there is not followed
      }
      return;
    }
    // A folder renamed within the tree keeps its inode, hence its wd: forget the old name.
    if (const auto old = wd_path.find(wd); old != wd_path.end() && old->second != relative) {
      if (const auto it = path_wd.find(old->second); it != path_wd.end() && it->second == wd)
        path_wd.erase(it);
    }
    wd_path[wd] = relative;
    path_wd[relative] = wd;
    const int depth = depth_of(relative);
    for_each_entry(absolute(relative), relative.empty(),
                   [&](std::string_view name, const struct stat &st) {
                     const std::string child = join(relative, name);
                     if (report)
                       note(child);
                     if (S_ISDIR(st.st_mode) && depth + 1 < max_depth && !name.starts_with('.'))
                       add_tree(child, report);
                   });
  }

  // Drops the watches of a folder and everything below it.
  void drop_tree(const std::string &relative) {
    const std::string below = relative + "/";
    for (auto it = path_wd.lower_bound(relative); it != path_wd.end();) {
      if (it->first != relative && !it->first.starts_with(below))
        break;
      if (inotify)
        ::inotify_rm_watch(inotify.get(), it->second); // EINVAL when already gone: fine
      wd_path.erase(it->second);
      it = path_wd.erase(it);
    }
  }

  void drop_all() {
    if (inotify)
      for (const auto &[wd, path] : wd_path)
        ::inotify_rm_watch(inotify.get(), wd);
    wd_path.clear();
    path_wd.clear();
  }

  void lose_root() {
    drop_all();
    root_missing = true;
    note_rescan();
    next_check = Clock::now(); // it may be back already
  }

  void handle(const inotify_event &event, std::string_view name) {
    if (event.mask & IN_Q_OVERFLOW) {
      note_rescan();
      drop_all();
      root_missing = false;
      add_tree("", false);
      if (root_missing)
        lose_root();
      return;
    }
    const auto it = wd_path.find(event.wd);
    if (it == wd_path.end())
      return; // a watch dropped already; its last events are stale
    const std::string folder = it->second;
    if (event.mask & IN_IGNORED) { // the kernel dropped the watch (folder gone)
      if (const auto p = path_wd.find(folder); p != path_wd.end() && p->second == event.wd)
        path_wd.erase(p);
      wd_path.erase(it);
      if (folder.empty())
        lose_root();
      return;
    }
    if (event.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
      if (folder.empty())
        lose_root();
      return; // below the root, the parent's event reports it
    }
    if (name.empty()) { // the watched folder itself (IN_ATTRIB, IN_MODIFY)
      if (!folder.empty())
        note(folder);
      return;
    }
    const std::string path = join(folder, name);
    note(path);
    if (!(event.mask & IN_ISDIR))
      return;
    if (event.mask & (IN_DELETE | IN_MOVED_FROM))
      drop_tree(path);
    if ((event.mask & (IN_CREATE | IN_MOVED_TO)) && depth_of(path) < max_depth &&
        !name.starts_with('.'))
      add_tree(path, true);
  }

  // One read(2): at most a buffer full, so that a flood of events still lets the loop deliver.
  void read_events() {
    alignas(inotify_event) char buffer[64 * 1024];
    const ssize_t n = ::read(inotify.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno != EAGAIN && errno != EINTR)
        fall_back(std::string("reading inotify events failed (") + std::strerror(errno) + ")");
      return;
    }
    for (ssize_t at = 0; at < n && inotify;) {
      inotify_event event;
      std::memcpy(&event, buffer + at, sizeof event);
      const char *name = buffer + at + sizeof event;
      handle(event, event.len ? std::string_view(name, ::strnlen(name, event.len)) : "");
      at += static_cast<ssize_t>(sizeof event + event.len);
    }
  }

  // --- polling -------------------------------------------------------------------------------
  void start_polling() {
    is_polling.store(true);
    root_missing = !is_folder(root);
    poll_tree.clear();
    if (!root_missing)
      scan(root, "", max_depth, poll_tree);
    next_check = Clock::now() + options.poll_interval;
  }

  void fall_back(const std::string &reason) {
    drop_all();
    inotify.reset();
    diagnose("watch-polling",
             reason + "; polling every " + std::to_string(options.poll_interval.count()) + " ms");
    start_polling();
    if (started)
      note_rescan();
  }

  void poll_once() {
    if (!is_folder(root)) {
      if (!root_missing) {
        root_missing = true;
        poll_tree.clear();
        note_rescan();
      }
      return;
    }
    Tree now;
    scan(root, "", max_depth, now);
    if (root_missing) {
      root_missing = false;
      note_rescan();
    } else {
      for (const auto &[path, stamp] : now)
        if (const auto old = poll_tree.find(path);
            old == poll_tree.end() || !(old->second == stamp))
          note(path);
      for (const auto &[path, stamp] : poll_tree)
        if (!now.contains(path))
          note(path);
    }
    poll_tree = std::move(now);
  }

  // While the root is missing (inotify mode): watch it again once it is back.
  void look_for_root() {
    root_missing = false;
    add_tree("", false);
    if (!root_missing)
      note_rescan();
  }

  // --- the thread ------------------------------------------------------------------------------
  void run() {
    while (!stopping.load()) {
      auto deadline = Clock::time_point::max();
      if (has_pending())
        deadline = delivery_time();
      if (is_polling.load() || root_missing)
        deadline = std::min(deadline, next_check);
      int timeout = -1;
      if (deadline != Clock::time_point::max()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
        timeout = static_cast<int>(
            std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 60 * 60 * 1000));
      }
      pollfd fds[2] = {{wake.get(), POLLIN, 0}, {inotify.get(), POLLIN, 0}};
      const int ready = ::poll(fds, inotify ? 2 : 1, timeout);
      if (stopping.load())
        break;
      if (ready > 0 && inotify && (fds[1].revents & POLLIN))
        read_events();
      const auto now = Clock::now();
      if ((is_polling.load() || root_missing) && now >= next_check) {
        next_check = now + options.poll_interval;
        if (is_polling.load())
          poll_once();
        else
          look_for_root();
      }
      if (has_pending() && Clock::now() >= delivery_time())
        deliver();
    }
  }
};

Watcher::Watcher(WatcherOptions options, Callback callback)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(callback))) {
  Impl &impl = *impl_;
  impl.wake.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!impl.wake)
    throw Error(ErrorCode::io,
                "cannot watch '" + impl.root + "': no eventfd (" + std::strerror(errno) + ")");
  if (impl.options.force_polling) {
    impl.fall_back("inotify not used (force_polling)");
  } else {
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      impl.fall_back(std::string("inotify unavailable (") + std::strerror(errno) + ")");
    } else {
      impl.inotify.reset(fd);
      impl.add_tree("", false);
      if (impl.root_missing)
        impl.next_check = Clock::now() + impl.options.poll_interval;
    }
  }
  impl.started = true;
  try {
    impl.thread = std::thread([&impl] {
      ::pthread_setname_np(::pthread_self(), "leanspec-watch");
      impl.run();
    });
  } catch (const std::system_error &e) {
    throw Error(ErrorCode::io, "cannot watch '" + impl.root + "': no thread (" + e.what() + ")");
  }
}

Watcher::~Watcher() {
  impl_->stopping.store(true);
  const std::uint64_t one = 1;
  if (::write(impl_->wake.get(), &one, sizeof one) < 0) {
    // Cannot fail: the counter is far from its maximum. The thread also sees `stopping` at
    // its next wake-up.
  }
  if (impl_->thread.joinable())
    impl_->thread.join();
}

bool Watcher::polling() const noexcept { return impl_->is_polling.load(); }

std::vector<Diagnostic> Watcher::diagnostics() const {
  const std::lock_guard lock(impl_->diagnostics_mutex);
  return impl_->diagnostics;
}

} // namespace leanspec::detail
