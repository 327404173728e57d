// Implements src/db/store.hpp: Store::open() picks the backend a database URL names.
#include "db/store.hpp"

#include "db/database_url.hpp"
#include "db/migrations.hpp"

namespace leanspec::detail {

// Defined in sqlite_store.cpp and postgres_store.cpp.
std::unique_ptr<Store> open_sqlite_store(const DatabaseUrl &url, bool create);
std::unique_ptr<Store> open_postgres_store(const DatabaseUrl &url);

Store::~Store() = default;

int latest_schema_version() noexcept { return static_cast<int>(migrations().size()); }

std::unique_ptr<Store> Store::open(const std::string &database_url, bool create) {
  const DatabaseUrl url = parse_database_url(database_url);
  return url.kind == DatabaseUrl::Kind::postgres ? open_postgres_store(url)
                                                 : open_sqlite_store(url, create);
}

} // namespace leanspec::detail
