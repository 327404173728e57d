#pragma once
// Internal: libpq, loaded when the first PostgreSQL store opens (dlopen of libpq.so.5) instead
// of linked. Linking it made every program that uses libleanspec load libpq's 22 libraries
// (Kerberos, LDAP, TLS, ...) at start, ~12 ms for the CLI even when it never talks to
// PostgreSQL. The store's files include pq_calls.hpp, which redirects their PQ* calls to the
// loaded functions (libpq.cpp loads them).

#include <libpq-fe.h>

namespace leanspec::detail {

// The list is kept out of clang-format: version 14 does not settle on one layout for it.
// clang-format off
#define LEANSPEC_LIBPQ_FUNCTIONS(X) \
  X(PQclear) X(PQcmdTuples) X(PQconnectdbParams) X(PQdb) X(PQerrorMessage) X(PQexec) \
  X(PQexecParams) X(PQfinish) X(PQgetisnull) X(PQgetlength) X(PQgetvalue) X(PQhost) \
  X(PQntuples) X(PQport) X(PQresultErrorField) X(PQresultErrorMessage) X(PQresultStatus) \
  X(PQsetNoticeProcessor) X(PQstatus) X(PQtransactionStatus) X(PQuser) \
  X(PQconsumeInput) X(PQfreemem) X(PQnotifies) X(PQsocket) \
  X(PQenterPipelineMode) X(PQexitPipelineMode) X(PQpipelineSync) X(PQsendQueryParams) \
  X(PQgetResult) X(PQflush)
// clang-format on

struct LibPq {
#define LEANSPEC_LIBPQ_MEMBER(name) decltype(&::name) name = nullptr;
  LEANSPEC_LIBPQ_FUNCTIONS(LEANSPEC_LIBPQ_MEMBER)
#undef LEANSPEC_LIBPQ_MEMBER
};

/// The loaded functions; loads libpq on the first call (thread-safe).
/// @throws leanspec::Error database when libpq.so.5 or one of its functions cannot be found
const LibPq &libpq();

} // namespace leanspec::detail
