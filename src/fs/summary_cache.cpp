// Implements src/fs/summary_cache.hpp.
#include "fs/summary_cache.hpp"

#include "model/binary_codec.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

namespace leanspec::detail {
namespace {

constexpr std::string_view magic = "LSSUM\x01\n"; // bump the digit when the layout changes
constexpr std::size_t key_size = 5 * 8;

// The GNU build id of the object this code is linked into: a summary depends on the exact
// parser that made it, and the id changes whenever the code does. Empty when there is none.
std::string build_id() {
  static const char anchor = 0; // an address inside this object
  struct Search {
    const void *address;
    std::string id;
  } search{&anchor, {}};
  dl_iterate_phdr(
      [](dl_phdr_info *info, std::size_t, void *data) -> int {
        auto &s = *static_cast<Search *>(data);
        const auto at = reinterpret_cast<std::uintptr_t>(s.address);
        bool inside = false;
        for (int i = 0; i < info->dlpi_phnum && !inside; ++i) {
          const auto &ph = info->dlpi_phdr[i];
          inside = ph.p_type == PT_LOAD && at >= info->dlpi_addr + ph.p_vaddr &&
                   at < info->dlpi_addr + ph.p_vaddr + ph.p_memsz;
        }
        if (!inside)
          return 0;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const auto &ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_NOTE)
            continue;
          const char *p = reinterpret_cast<const char *>(info->dlpi_addr + ph.p_vaddr);
          const char *end = p + ph.p_memsz;
          while (p + sizeof(ElfW(Nhdr)) <= end) {
            ElfW(Nhdr) note;
            std::memcpy(&note, p, sizeof note);
            const char *name = p + sizeof note;
            const char *desc = name + ((note.n_namesz + 3) & ~3u);
            if (desc + note.n_descsz > end)
              break;
            if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
                std::memcmp(name, "GNU", 4) == 0)
              s.id.assign(desc, note.n_descsz);
            p = desc + ((note.n_descsz + 3) & ~3u);
          }
        }
        return 1;
      },
      &search);
  return search.id;
}

void put_key(std::string &out, const FileKey &k) {
  put_u64(out, k.dev);
  put_u64(out, k.ino);
  put_u64(out, k.size);
  put_u64(out, static_cast<std::uint64_t>(k.mtime_ns));
  put_u64(out, static_cast<std::uint64_t>(k.ctime_ns));
}
bool get_key(Input &in, FileKey &k) {
  std::uint64_t mtime = 0, ctime = 0;
  if (!in.u64(k.dev) || !in.u64(k.ino) || !in.u64(k.size) || !in.u64(mtime) || !in.u64(ctime))
    return false;
  k.mtime_ns = static_cast<std::int64_t>(mtime);
  k.ctime_ns = static_cast<std::int64_t>(ctime);
  return true;
}

void put_strings(std::string &out, const std::vector<std::string> &list) {
  put_u32(out, static_cast<std::uint32_t>(list.size()));
  for (const auto &s : list)
    put_str(out, s);
}
bool get_strings(Input &in, std::vector<std::string> &list) {
  std::uint32_t n = 0;
  if (!in.count(n, 4))
    return false;
  list.resize(n);
  for (auto &s : list)
    if (!in.str(s))
      return false;
  return true;
}

// One entry: folder, folder key, file count, (name, key)..., summary length, summary.
bool read_entry(Input &in, std::string &folder, FolderKeys &keys, std::string_view &spec,
                std::string_view all) {
  std::uint32_t files = 0, length = 0;
  if (!in.str(folder) || !get_key(in, keys.folder) || !in.count(files, 4 + key_size))
    return false;
  keys.files.resize(files);
  for (auto &[name, key] : keys.files)
    if (!in.str(name) || !get_key(in, key))
      return false;
  if (!in.u32(length) || in.left() < length)
    return false;
  spec = all.substr(all.size() - in.left(), length);
  return in.skip(length);
}

void put_entry(std::string &out, const std::string &folder, const FolderKeys &keys,
               std::string_view spec) {
  put_str(out, folder);
  put_key(out, keys.folder);
  put_u32(out, static_cast<std::uint32_t>(keys.files.size()));
  for (const auto &[name, key] : keys.files) {
    put_str(out, name);
    put_key(out, key);
  }
  put_str(out, spec);
}

} // namespace

FileKey FileKey::of(const struct stat &st) noexcept {
  return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
          static_cast<std::uint64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
          static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec};
}

std::string SummaryCache::encode(const Spec &s) {
  std::string out;
  out.reserve(2048);
  for (const std::string *text : {&s.id, &s.number_text, &s.slug, &s.path, &s.title})
    put_str(out, *text);
  put_u32(out, static_cast<std::uint32_t>(s.number));
  out += static_cast<char>(s.status);
  out += static_cast<char>(s.priority ? static_cast<int>(*s.priority) : 0xff);
  put_strings(out, s.tags);
  for (const std::string *text :
       {&s.assignee, &s.created, &s.created_at, &s.updated_at, &s.completed_at, &s.completed})
    put_str(out, *text);
  put_u32(out, static_cast<std::uint32_t>(s.transitions.size()));
  for (const auto &t : s.transitions) {
    out += static_cast<char>(t.status);
    put_str(out, t.at);
  }
  put_strings(out, s.depends_on);
  put_str(out, s.parent);
  put_strings(out, s.related);
  out += static_cast<char>(s.archived);
  put_value(out, s.frontmatter);
  put_u32(out, static_cast<std::uint32_t>(s.custom_fields.size()));
  for (const auto &[key, value] : s.custom_fields) {
    put_str(out, key);
    put_value(out, value);
  }
  put_u32(out, static_cast<std::uint32_t>(s.body_line));
  put_str(out, s.content_hash);
  put_u32(out, static_cast<std::uint32_t>(s.sub_specs.size()));
  for (const auto &sub : s.sub_specs)
    for (const std::string *text : {&sub.file, &sub.name, &sub.content_hash})
      put_str(out, *text);
  put_u32(out, static_cast<std::uint32_t>(s.diagnostics.size()));
  for (const auto &d : s.diagnostics) {
    out += static_cast<char>(d.severity);
    put_u32(out, static_cast<std::uint32_t>(d.line));
    for (const std::string *text : {&d.spec_id, &d.file, &d.code, &d.message})
      put_str(out, *text);
  }
  return out;
}

bool SummaryCache::decode(std::string_view bytes, Spec &s) {
  Input in(bytes);
  const auto status = [&](Status &out) {
    unsigned char b = 0;
    if (!in.byte(b) || b > static_cast<unsigned char>(Status::archived))
      return false;
    out = static_cast<Status>(b);
    return true;
  };
  std::uint32_t number = 0, n = 0, body_line = 0;
  unsigned char priority = 0, archived = 0;
  for (std::string *text : {&s.id, &s.number_text, &s.slug, &s.path, &s.title})
    if (!in.str(*text))
      return false;
  if (!in.u32(number) || !status(s.status) || !in.byte(priority) ||
      (priority > static_cast<unsigned char>(Priority::critical) && priority != 0xff) ||
      !get_strings(in, s.tags))
    return false;
  s.number = static_cast<int>(number);
  s.priority = priority == 0xff ? std::nullopt : std::optional(static_cast<Priority>(priority));
  for (std::string *text :
       {&s.assignee, &s.created, &s.created_at, &s.updated_at, &s.completed_at, &s.completed})
    if (!in.str(*text))
      return false;
  if (!in.count(n, 5))
    return false;
  s.transitions.resize(n);
  for (auto &t : s.transitions)
    if (!status(t.status) || !in.str(t.at))
      return false;
  if (!get_strings(in, s.depends_on) || !in.str(s.parent) || !get_strings(in, s.related) ||
      !in.byte(archived) || !in.value(s.frontmatter) || !in.count(n, 22))
    return false;
  s.archived = archived != 0;
  s.custom_fields.resize(n);
  for (auto &[key, value] : s.custom_fields)
    if (!in.str(key) || !in.value(value))
      return false;
  if (!in.u32(body_line) || !in.str(s.content_hash) || !in.count(n, 12))
    return false;
  s.body_line = static_cast<int>(body_line);
  s.sub_specs.resize(n);
  for (auto &sub : s.sub_specs)
    for (std::string *text : {&sub.file, &sub.name, &sub.content_hash})
      if (!in.str(*text))
        return false;
  if (!in.count(n, 21))
    return false;
  s.diagnostics.resize(n);
  for (auto &d : s.diagnostics) {
    unsigned char severity = 0;
    std::uint32_t line = 0;
    if (!in.byte(severity) || severity > 1 || !in.u32(line))
      return false;
    d.severity = static_cast<Diagnostic::Severity>(severity);
    d.line = static_cast<int>(line);
    for (std::string *text : {&d.spec_id, &d.file, &d.code, &d.message})
      if (!in.str(*text))
        return false;
  }
  return in.done();
}

SummaryCache::SummaryCache(std::filesystem::path file, std::size_t max_file_size,
                           std::optional<Clock::time_point> trusted_before)
    : file_(std::move(file)), max_file_size_(max_file_size), trusted_before_(trusted_before) {}

void SummaryCache::open() {
  const auto before = trusted_before_.value_or(Clock::now() - std::chrono::seconds(2));
  trusted_before_ns_ =
      std::chrono::duration_cast<std::chrono::nanoseconds>(before.time_since_epoch()).count();
  entries_.clear();
  stored_.clear();
  bytes_.clear();
  if (build_id_.empty())
    build_id_ = build_id();
  usable_ = !build_id_.empty();
  if (!usable_)
    return;
  // open/fstat/read: the file is read whole (a few hundred KB) on every run of the CLI.
  const int fd = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    bytes_.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < bytes_.size()) {
      const ssize_t n = ::read(fd, bytes_.data() + done, bytes_.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += static_cast<std::size_t>(n);
    }
    bytes_.resize(done);
  }
  ::close(fd);

  const std::string_view all = bytes_;
  Input in(all);
  std::string id;
  std::uint64_t max_size = 0;
  std::uint32_t n = 0;
  if (!in.skip(magic.size()) || !all.starts_with(magic) || !in.str(id) || id != build_id_ ||
      !in.u64(max_size) || max_size != max_file_size_ || !in.count(n, 4 + key_size + 8))
    return;
  std::unordered_map<std::string, Entry> index;
  index.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::size_t begin = all.size() - in.left();
    std::string folder;
    Entry entry;
    if (!read_entry(in, folder, entry.keys, entry.spec, all))
      return; // damaged: start empty, the next commit replaces it
    entry.bytes = all.substr(begin, all.size() - in.left() - begin);
    index.emplace(std::move(folder), std::move(entry));
  }
  if (in.done())
    entries_ = std::move(index);
}

SpecPtr SummaryCache::find(const std::string &folder, const FileKey &folder_key,
                           const std::string &dir) {
  const auto it = entries_.find(folder);
  if (it == entries_.end() || !(it->second.keys.folder == folder_key))
    return nullptr;
  Entry &entry = it->second;
  std::string path;
  for (const auto &[name, key] : entry.keys.files) {
    path.assign(dir).append("/").append(name);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !(FileKey::of(st) == key))
      return nullptr;
  }
  auto spec = std::make_shared<Spec>();
  if (!decode(entry.spec, *spec) || spec->path != folder)
    return nullptr;
  entry.used = true;
  ++hits_;
  return spec;
}

void SummaryCache::store(const std::string &folder, const FolderKeys &keys, const Spec &spec) {
  if (!usable_)
    return;
  const auto recent = [&](const FileKey &k) {
    return std::max(k.mtime_ns, k.ctime_ns) >= trusted_before_ns_;
  };
  if (recent(keys.folder) || std::any_of(keys.files.begin(), keys.files.end(),
                                         [&](const auto &f) { return recent(f.second); }))
    return;
  Entry entry;
  entry.keys = keys;
  put_entry(entry.fresh_bytes, folder, keys, encode(spec));
  const std::lock_guard lock(mutex_);
  stored_.emplace_back(folder, std::move(entry));
}

void SummaryCache::commit() noexcept {
  try {
    if (!usable_)
      return;
    const bool changed =
        !stored_.empty() ||
        std::any_of(entries_.begin(), entries_.end(), [](const auto &e) { return !e.second.used; });
    if (changed) {
      std::vector<std::pair<std::string_view, std::string_view>> keep; // folder, entry bytes
      for (const auto &[folder, entry] : entries_)
        if (entry.used)
          keep.emplace_back(folder, entry.bytes);
      for (const auto &[folder, entry] : stored_)
        keep.emplace_back(folder, entry.fresh_bytes);
      std::sort(keep.begin(), keep.end()); // the same entries always give the same bytes
      keep.erase(std::unique(keep.begin(), keep.end(),
                             [](const auto &a, const auto &b) { return a.first == b.first; }),
                 keep.end());
      std::string out(magic);
      put_str(out, build_id_);
      put_u64(out, max_file_size_);
      put_u32(out, static_cast<std::uint32_t>(keep.size()));
      for (const auto &[folder, bytes] : keep)
        out.append(bytes);
      replace_file(file_, out);
    }
  } catch (...) {
    // The cache only saves time; failing to write it changes no result.
  }
  entries_.clear();
  stored_.clear();
  std::string().swap(bytes_);
}

std::size_t SummaryCache::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size() + stored_.size();
}

} // namespace leanspec::detail
