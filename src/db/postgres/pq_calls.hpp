#pragma once
// Internal: redirects the PQ* calls of the PostgreSQL store's files (src/db/postgres/,
// postgres_store.cpp) to the functions libpq() loaded. Include it in those files only, after
// every other header.

#include "db/postgres/libpq.hpp"

// From here on, PQ* calls go through the loaded functions.
#define PQclear libpq().PQclear
#define PQcmdTuples libpq().PQcmdTuples
#define PQconnectdbParams libpq().PQconnectdbParams
#define PQdb libpq().PQdb
#define PQerrorMessage libpq().PQerrorMessage
#define PQexec libpq().PQexec
#define PQexecParams libpq().PQexecParams
#define PQfinish libpq().PQfinish
#define PQgetisnull libpq().PQgetisnull
#define PQgetlength libpq().PQgetlength
#define PQgetvalue libpq().PQgetvalue
#define PQhost libpq().PQhost
#define PQntuples libpq().PQntuples
#define PQport libpq().PQport
#define PQresultErrorField libpq().PQresultErrorField
#define PQresultErrorMessage libpq().PQresultErrorMessage
#define PQresultStatus libpq().PQresultStatus
#define PQsetNoticeProcessor libpq().PQsetNoticeProcessor
#define PQstatus libpq().PQstatus
#define PQtransactionStatus libpq().PQtransactionStatus
#define PQuser libpq().PQuser
#define PQconsumeInput libpq().PQconsumeInput
#define PQfreemem libpq().PQfreemem
#define PQnotifies libpq().PQnotifies
#define PQsocket libpq().PQsocket
#define PQenterPipelineMode libpq().PQenterPipelineMode
#define PQexitPipelineMode libpq().PQexitPipelineMode
#define PQpipelineSync libpq().PQpipelineSync
#define PQsendQueryParams libpq().PQsendQueryParams
#define PQgetResult libpq().PQgetResult
#define PQflush libpq().PQflush
