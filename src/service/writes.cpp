// Implements the writes of include/leanspec/specs_service.hpp: the filesystem project's source
// writes, then the service's cache drops what the write may change, before the event (which
// the cache gets from its own thread) arrives: read-your-writes.
#include "service/specs_service_impl.hpp"

#include <leanspec/filesystem_source.hpp>

namespace leanspec {

SpecPtr SpecsService::Impl::write(std::string_view project_id,
                                  const std::function<SpecPtr(FilesystemSource &)> &call) {
  std::string project;
  Route &route = route_for(project_id, project);
  std::shared_ptr<FilesystemSource> source;
  {
    const std::lock_guard lock(route.mutex);
    source = route.filesystem;
  }
  if (!source)
    throw Error(ErrorCode::not_found, "project '" + project +
                                          "' is a GitHub project: writes to it are not "
                                          "supported yet, only to the specs directory's");
  SpecPtr spec = call(*source);
  if (const auto cache = any_cache(route))
    cache->invalidate(spec->id, project);
  return spec;
}

SpecPtr SpecsService::update(std::string_view ref, const SpecUpdate &update,
                             std::string_view base_hash, std::string_view project_id) {
  return impl_->write(
      project_id, [&](FilesystemSource &source) { return source.update(ref, update, base_hash); });
}

SpecPtr SpecsService::create(const NewSpec &spec) {
  auto created = impl_->write({}, [&](FilesystemSource &source) { return source.create(spec); });
  if (const auto cache = impl_->any_cache(impl_->fs))
    cache->invalidate(); // every cached list lacks the new spec
  return created;
}

SpecPtr SpecsService::toggle_checklist_item(std::string_view ref, int index,
                                            std::string_view base_hash,
                                            std::string_view project_id) {
  return impl_->write(project_id, [&](FilesystemSource &source) {
    return source.toggle_checklist_item(ref, index, base_hash);
  });
}

} // namespace leanspec
