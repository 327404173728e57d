// Implements the project registry of include/leanspec/specs_service.hpp: add, update, remove,
// list and import, on the database route, noting its failures in the health.
#include "service/specs_service_impl.hpp"

namespace leanspec {

void SpecsService::add_project(const RegisteredProject &project) {
  impl_->registry([&](DatabaseSource &d) { d.add_project(project); });
  impl_->registry_changed();
}

void SpecsService::update_project(std::string_view id, const ProjectPatch &patch) {
  impl_->registry([&](DatabaseSource &d) { d.update_project(id, patch); });
  impl_->registry_changed();
}

bool SpecsService::remove_project(std::string_view id) {
  const bool removed = impl_->registry([&](DatabaseSource &d) { return d.remove_project(id); });
  impl_->registry_changed();
  const std::lock_guard lock(impl_->db.mutex);
  if (const auto it = impl_->db.fallbacks.find(id); it != impl_->db.fallbacks.end())
    impl_->db.fallbacks.erase(it);
  return removed;
}

std::vector<RegisteredProject> SpecsService::registered_projects() const {
  return impl_->registry([](DatabaseSource &d) { return d.registered_projects(); });
}

ImportResult SpecsService::import_directory(std::string_view project_id,
                                            const std::filesystem::path &specs_dir) {
  const auto result =
      impl_->registry([&](DatabaseSource &d) { return d.import_directory(project_id, specs_dir); });
  impl_->registry_changed();
  try {
    impl_->keep_fallback(impl_->db, std::string(project_id), Impl::Refresh::always);
  } catch (const Error &) {
  }
  return result;
}

} // namespace leanspec
