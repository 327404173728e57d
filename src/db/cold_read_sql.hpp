#pragma once
// Internal: every SQL statement a cold read (Store::read_summaries, issue 18) runs, by backend,
// so that a test can EXPLAIN each of them (none may scan the whole specs table for one project).
// SQLite's are defined in sqlite_store.cpp, PostgreSQL's in postgres_store.cpp. A statement
// over "every project" reads every row by design and is marked so.

namespace leanspec::detail::cold_read_sql {

// A "*" read reads every project's id first, then runs the statements over that list.

// SQLite (? parameters), each run once per project read.
/// (snapshot_version, spec_count) of project ?1: the primary key.
const char *sqlite_project_head();
/// The ids of every project (a "*" read): the primary key, every row by design.
const char *sqlite_project_ids();
/// Summary rows (spec_summaries.hpp SummaryColumn order) of project ?1: specs (project_id, path).
const char *sqlite_summary_rows();
/// sqlite_summary_rows() with the body last (col_body).
const char *sqlite_summary_rows_with_bodies();
/// (path, kind, ref) of project ?1's depends_on and related rows, in position order: the
/// relationships primary key.
const char *sqlite_relationship_rows();
/// One folder (project ?1, path ?2) as Store::specs reads it: specs (project_id, path) and the
/// spec_files primary key.
const char *sqlite_folder();

// PostgreSQL ($ parameters, text[] arrays of project ids or paths).
/// (id, snapshot_version, spec_count) of the projects in $1: the primary key.
const char *postgres_project_heads();
/// The ids of every project (a "*" read): every row of projects by design.
const char *postgres_project_ids();
/// project_id then the summary rows of the projects in $1: specs' primary key.
const char *postgres_summary_rows();
/// postgres_summary_rows() with the body last.
const char *postgres_summary_rows_with_bodies();
/// (project_id, path, kind, ref) of the depends_on and related rows of the projects in $1.
const char *postgres_relationship_rows();
/// The folders of project $1 whose paths are in $2, as Store::specs reads them.
const char *postgres_folders();

} // namespace leanspec::detail::cold_read_sql
