// Implements the writes of include/leanspec/specs_service.hpp. The filesystem project: its
// source writes, then the service's cache drops what the write may change, before the event
// (which the cache gets from its own thread) arrives: read-your-writes. A GitHub project: the
// GithubSync commits the file (GithubSync::write_file) and updates the store from the commit,
// then the cache drops the same, so the next read shows the commit.
#include "service/specs_service_impl.hpp"

#include <leanspec/filesystem_source.hpp>

namespace leanspec {

namespace {

// The spec a GitHub write returns when the store does not hold it (a pull request: the store
// keeps the branch's version): the written README over the stored folder.
SpecPtr proposed(const Spec &stored, const FileWriteResult &written) {
  std::vector<std::pair<std::string, std::string>> sub_files;
  for (const auto &sub : stored.sub_specs)
    sub_files.emplace_back(sub.file, sub.content);
  return std::make_shared<const Spec>(parse_spec(stored.path, written.content, sub_files));
}

} // namespace

SpecPtr SpecsService::Impl::write(std::string_view project_id, const Edit &edit,
                                  const std::function<SpecPtr(FilesystemSource &)> &on_disk) {
  std::string project;
  Route &route = route_for(project_id, project);
  if (route.kind == SourceKind::database)
    return commit(project, edit);
  std::shared_ptr<FilesystemSource> source;
  {
    const std::lock_guard lock(route.mutex);
    source = route.filesystem;
  }
  SpecPtr spec = on_disk(*source);
  if (const auto cache = any_cache(route))
    cache->invalidate(spec->id, project);
  return spec;
}

SpecPtr SpecsService::Impl::commit(const std::string &project, const Edit &edit) {
  const auto source = database();
  const auto github_sync = github();
  if (!github_sync)
    throw unavailable(db, project);
  const SpecPtr spec = source->get(edit.ref, project); // ambiguous
  if (!spec)
    throw Error(ErrorCode::not_found,
                "no spec matches '" + std::string(edit.ref) + "' in project '" + project + "'");
  const FileWriteResult written =
      github_sync->write_file(project, {spec->path, "README.md", std::string(edit.base_hash),
                                        edit.edit, "Update " + spec->id});
  if (const auto cache = any_cache(db))
    cache->invalidate(spec->id, project);
  if (written.pull_request_url.empty())
    if (SpecPtr stored = source->get(spec->id, project);
        stored && stored->content_hash == git_blob_sha1(written.content))
      return stored;
  return proposed(*spec, written);
}

SpecPtr SpecsService::update(std::string_view ref, const SpecUpdate &update,
                             std::string_view base_hash, std::string_view project_id) {
  const auto edit = [&](std::string_view text) {
    return update_readme(text, update, std::chrono::system_clock::now());
  };
  return impl_->write(project_id, {ref, base_hash, edit}, [&](FilesystemSource &source) {
    return source.update(ref, update, base_hash);
  });
}

SpecPtr SpecsService::toggle_checklist_item(std::string_view ref, int index,
                                            std::string_view base_hash,
                                            std::string_view project_id) {
  const auto edit = [&](std::string_view text) {
    return leanspec::toggle_checklist_item(text, index);
  };
  return impl_->write(project_id, {ref, base_hash, edit}, [&](FilesystemSource &source) {
    return source.toggle_checklist_item(ref, index, base_hash);
  });
}

SpecPtr SpecsService::create(const NewSpec &spec, std::string_view project_id) {
  std::string project;
  Route &route = impl_->route_for(project_id, project);
  SpecPtr created;
  if (route.kind == SourceKind::filesystem) {
    std::shared_ptr<FilesystemSource> source;
    {
      const std::lock_guard lock(route.mutex);
      source = route.filesystem;
    }
    created = source->create(spec);
  } else {
    // The next number over the stored folders, padded as the widest stored number is; the
    // project's .lean-spec (template, date groups) is not synced: a minimal README, flat.
    const auto source = impl_->database();
    const auto github_sync = impl_->github();
    if (!github_sync)
      throw impl_->unavailable(impl_->db, project);
    const auto now = std::chrono::system_clock::now();
    const std::string folder =
        next_spec_folder(spec, source->list({.project_id = project})->specs, now);
    const std::string readme = new_spec_readme(spec, now);
    const FileWriteResult written = github_sync->write_file(
        project,
        {folder, "README.md", "", [&](std::string_view) { return readme; }, "Create " + folder});
    created = written.pull_request_url.empty() ? source->get(folder, project) : nullptr;
    if (!created)
      created = std::make_shared<const Spec>(parse_spec(folder, written.content));
  }
  if (const auto cache = impl_->any_cache(route))
    cache->invalidate(); // every cached list lacks the new spec
  return created;
}

} // namespace leanspec
