# Every third-party dependency is found here, once, as an imported target.
find_package(Threads REQUIRED)
find_package(yaml-cpp REQUIRED)
if(TARGET yaml-cpp AND NOT TARGET yaml-cpp::yaml-cpp)
  add_library(yaml-cpp::yaml-cpp ALIAS yaml-cpp) # yaml-cpp 0.7 exports an unnamespaced target
endif()
find_package(simdjson REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(CmarkGfm REQUIRED)
# Database mode (src/db): SQLite through SQLiteCpp (Debian: libsqlitecpp-dev, a static library
# whose config brings SQLite::SQLite3 from libsqlite3-dev, built with FTS5) and PostgreSQL's
# libpq (libpq-dev; CMake's FindPostgreSQL, target PostgreSQL::PostgreSQL).
find_package(SQLiteCpp REQUIRED)
if(TARGET SQLiteCpp AND NOT TARGET SQLiteCpp::SQLiteCpp)
  add_library(SQLiteCpp::SQLiteCpp ALIAS SQLiteCpp) # SQLiteCpp 3.2 exports an unnamespaced target
endif()
find_package(PostgreSQL REQUIRED)
# The GitHub sync (src/github): libcurl's multi interface (Debian: libcurl4-openssl-dev, which
# ships a pkg-config file but no CMake config; CMake's FindCURL makes the target CURL::libcurl).
find_package(CURL REQUIRED)
# GitHub sync (src/github/sync.cpp): repository tarballs are read with libarchive (Debian:
# libarchive-dev; CMake's FindLibArchive, target LibArchive::LibArchive).
find_package(LibArchive REQUIRED)
