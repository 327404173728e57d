#pragma once
// Umbrella header of the libleanspec C++ API; declares nothing itself.

#include <leanspec/caching_source.hpp>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/json.hpp>
#include <leanspec/query.hpp>
#include <leanspec/spec.hpp>
#include <leanspec/spec_source.hpp>
#include <leanspec/spec_update.hpp>
#include <leanspec/specs_service.hpp>
#include <leanspec/version.hpp>
