// Implements src/db/migrations.hpp: the store's schema, version by version.
//
// Schema v1, the same tables on both backends (times are unix milliseconds); v8 renamed the
// columns that named one concept twice (see v8):
//   projects            one row per registered GitHub project (id "owner/repo")
//   specs               one row per spec folder, keyed by (project_id, path); the columns derived
//                       from parsing its README.md; files_hash (a digest of every file's name and
//                       blob SHA) is what replace_specs compares; written_version is the snapshot
//                       version that last wrote the row
//   spec_files          every file of a folder, bytes as read (BLOB / bytea) with its blob SHA
//   relationships       depends_on / parent / related refs as written, in order
//   sync_runs           one row per GitHub sync
//   webhook_deliveries  processed X-GitHub-Delivery ids
//   leases              the per-project sync lease (holder, expiry)
// Search: SQLite keeps an FTS5 table over specs (external content, kept in step by triggers);
// PostgreSQL a tsvector column with a GIN index. Both weigh title > tags, id > body. Since v2
// both index each body word once per spec (see v2); PostgreSQL indexes 256 KiB of a body's
// distinct words at most: a tsvector cannot exceed 1 MB, and a larger one would fail the whole
// snapshot's write (bodies that long are not specs).
#include "db/migrations.hpp"

namespace leanspec::detail {

const char *const sqlite_bootstrap = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);
)sql";

const char *const postgres_bootstrap = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at BIGINT NOT NULL
);
)sql";

namespace {

constexpr const char *sqlite_v1 = R"sql(
CREATE TABLE projects (
  id               TEXT PRIMARY KEY,
  owner            TEXT NOT NULL,
  repo             TEXT NOT NULL,
  branch           TEXT NOT NULL,
  specs_path       TEXT NOT NULL,
  sync_interval_s  INTEGER NOT NULL,
  last_commit      TEXT NOT NULL DEFAULT '',
  last_tree        TEXT NOT NULL DEFAULT '',
  etags            TEXT NOT NULL DEFAULT '{}',
  sync_state       TEXT NOT NULL DEFAULT 'idle',
  sync_error       TEXT NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  last_synced_at   INTEGER NOT NULL DEFAULT 0,
  snapshot_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE specs (
  seq             INTEGER PRIMARY KEY, -- a stable rowid for the FTS5 table's external content
  project_id      TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  path            TEXT NOT NULL,
  id              TEXT NOT NULL,
  number          INTEGER,             -- NULL when the folder name has no number
  number_text     TEXT NOT NULL,
  slug            TEXT NOT NULL,
  title           TEXT NOT NULL,
  status          TEXT NOT NULL,
  priority        TEXT,
  tags            TEXT NOT NULL,       -- JSON array
  assignee        TEXT NOT NULL,
  created         TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  completed       TEXT NOT NULL,
  completed_at    TEXT NOT NULL,
  parent          TEXT NOT NULL,
  archived        INTEGER NOT NULL,
  frontmatter     TEXT NOT NULL,       -- JSON: the whole mapping as written, or null
  body            TEXT NOT NULL,
  content_hash    TEXT NOT NULL,       -- README.md's blob SHA
  files_hash      TEXT NOT NULL,
  written_version INTEGER NOT NULL,
  UNIQUE (project_id, path)
);
CREATE INDEX specs_by_number ON specs (project_id, number);
CREATE INDEX specs_by_id ON specs (project_id, id);

CREATE TABLE spec_files (
  project_id TEXT NOT NULL,
  spec_path  TEXT NOT NULL,
  name       TEXT NOT NULL,
  content    BLOB NOT NULL,
  blob_sha   TEXT NOT NULL,
  PRIMARY KEY (project_id, spec_path, name),
  FOREIGN KEY (project_id, spec_path) REFERENCES specs (project_id, path) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE relationships (
  project_id TEXT NOT NULL,
  spec_path  TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('depends_on', 'parent', 'related')),
  position   INTEGER NOT NULL,
  ref        TEXT NOT NULL,
  PRIMARY KEY (project_id, spec_path, kind, position),
  FOREIGN KEY (project_id, spec_path) REFERENCES specs (project_id, path) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX relationships_by_ref ON relationships (project_id, ref);

CREATE TABLE sync_runs (
  id                   INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id           TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  started_at           INTEGER NOT NULL,
  ended_at             INTEGER NOT NULL DEFAULT 0,
  outcome              TEXT NOT NULL,
  added                INTEGER NOT NULL DEFAULT 0,
  updated              INTEGER NOT NULL DEFAULT 0,
  removed              INTEGER NOT NULL DEFAULT 0,
  requests             INTEGER NOT NULL DEFAULT 0,
  not_modified         INTEGER NOT NULL DEFAULT 0,
  rate_limit_remaining INTEGER NOT NULL DEFAULT -1,
  error                TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sync_runs_by_project ON sync_runs (project_id, id);

CREATE TABLE webhook_deliveries (
  delivery_id TEXT PRIMARY KEY,
  received_at INTEGER NOT NULL
);

CREATE TABLE leases (
  project_id TEXT PRIMARY KEY,
  holder     TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE VIRTUAL TABLE spec_search USING fts5 (
  title, tags, id, body,
  content = 'specs', content_rowid = 'seq',
  tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER specs_search_insert AFTER INSERT ON specs BEGIN
  INSERT INTO spec_search (rowid, title, tags, id, body)
  VALUES (new.seq, new.title, new.tags, new.id, new.body);
END;
CREATE TRIGGER specs_search_delete AFTER DELETE ON specs BEGIN
  INSERT INTO spec_search (spec_search, rowid, title, tags, id, body)
  VALUES ('delete', old.seq, old.title, old.tags, old.id, old.body);
END;
CREATE TRIGGER specs_search_update AFTER UPDATE OF title, tags, id, body ON specs BEGIN
  INSERT INTO spec_search (spec_search, rowid, title, tags, id, body)
  VALUES ('delete', old.seq, old.title, old.tags, old.id, old.body);
  INSERT INTO spec_search (rowid, title, tags, id, body)
  VALUES (new.seq, new.title, new.tags, new.id, new.body);
END;
)sql";

constexpr const char *postgres_v1 = R"sql(
CREATE TABLE projects (
  id               TEXT PRIMARY KEY,
  owner            TEXT NOT NULL,
  repo             TEXT NOT NULL,
  branch           TEXT NOT NULL,
  specs_path       TEXT NOT NULL,
  sync_interval_s  BIGINT NOT NULL,
  last_commit      TEXT NOT NULL DEFAULT '',
  last_tree        TEXT NOT NULL DEFAULT '',
  etags            TEXT NOT NULL DEFAULT '{}',
  sync_state       TEXT NOT NULL DEFAULT 'idle',
  sync_error       TEXT NOT NULL DEFAULT '',
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  last_synced_at   BIGINT NOT NULL DEFAULT 0,
  snapshot_version BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE specs (
  project_id      TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  path            TEXT NOT NULL,
  id              TEXT NOT NULL,
  number          INTEGER,
  number_text     TEXT NOT NULL,
  slug            TEXT NOT NULL,
  title           TEXT NOT NULL,
  status          TEXT NOT NULL,
  priority        TEXT,
  tags            TEXT NOT NULL,       -- JSON array
  assignee        TEXT NOT NULL,
  created         TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  completed       TEXT NOT NULL,
  completed_at    TEXT NOT NULL,
  parent          TEXT NOT NULL,
  archived        BOOLEAN NOT NULL,
  frontmatter     JSON NOT NULL,       -- the whole mapping as written, or null
  body            TEXT NOT NULL,
  content_hash    TEXT NOT NULL,       -- README.md's blob SHA
  files_hash      TEXT NOT NULL,
  written_version BIGINT NOT NULL,
  search          TSVECTOR GENERATED ALWAYS AS (
                    setweight(to_tsvector('simple'::regconfig, title), 'A') ||
                    setweight(to_tsvector('simple'::regconfig, tags || ' ' || id), 'B') ||
                    setweight(to_tsvector('simple'::regconfig, left(body, 262144)), 'D')) STORED,
  PRIMARY KEY (project_id, path)
);
CREATE INDEX specs_by_number ON specs (project_id, number);
CREATE INDEX specs_by_id ON specs (project_id, id);
CREATE INDEX specs_search ON specs USING GIN (search);

CREATE TABLE spec_files (
  project_id TEXT NOT NULL,
  spec_path  TEXT NOT NULL,
  name       TEXT NOT NULL,
  content    BYTEA NOT NULL,
  blob_sha   TEXT NOT NULL,
  PRIMARY KEY (project_id, spec_path, name),
  FOREIGN KEY (project_id, spec_path) REFERENCES specs (project_id, path) ON DELETE CASCADE
);

CREATE TABLE relationships (
  project_id TEXT NOT NULL,
  spec_path  TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('depends_on', 'parent', 'related')),
  position   INTEGER NOT NULL,
  ref        TEXT NOT NULL,
  PRIMARY KEY (project_id, spec_path, kind, position),
  FOREIGN KEY (project_id, spec_path) REFERENCES specs (project_id, path) ON DELETE CASCADE
);
CREATE INDEX relationships_by_ref ON relationships (project_id, ref);

CREATE TABLE sync_runs (
  id                   BIGSERIAL PRIMARY KEY,
  project_id           TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  started_at           BIGINT NOT NULL,
  ended_at             BIGINT NOT NULL DEFAULT 0,
  outcome              TEXT NOT NULL,
  added                INTEGER NOT NULL DEFAULT 0,
  updated              INTEGER NOT NULL DEFAULT 0,
  removed              INTEGER NOT NULL DEFAULT 0,
  requests             INTEGER NOT NULL DEFAULT 0,
  not_modified         INTEGER NOT NULL DEFAULT 0,
  rate_limit_remaining INTEGER NOT NULL DEFAULT -1,
  error                TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sync_runs_by_project ON sync_runs (project_id, id);

CREATE TABLE webhook_deliveries (
  delivery_id TEXT PRIMARY KEY,
  received_at BIGINT NOT NULL
);

CREATE TABLE leases (
  project_id TEXT PRIMARY KEY,
  holder     TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
)sql";

// v2 "search terms": the full-text indexes hold each spec's distinct body words (computed by
// the store, SpecRow::body_terms) instead of the whole body, so a write indexes about a third of
// the tokens. SQLite: a new column specs.search_terms and the FTS5 table over it with the
// `ascii` tokenizer (the stores' own token rule: ASCII letters and digits lower-cased, other
// bytes kept); existing rows are filled through leanspec_search_terms(), a function that
// sqlite_store.cpp defines on the connection that migrates. PostgreSQL: `search` becomes a plain
// column the store writes (the tsvector built by the client, one position per field), existing
// values kept; bodies, frontmatter, search vectors and file contents are compressed with lz4 where
// the server has it (pglz cost most of a write's server time).
constexpr const char *sqlite_v2 = R"sql(
DROP TRIGGER specs_search_insert;
DROP TRIGGER specs_search_delete;
DROP TRIGGER specs_search_update;
DROP TABLE spec_search;
ALTER TABLE specs ADD COLUMN search_terms TEXT NOT NULL DEFAULT '';
UPDATE specs SET search_terms = leanspec_search_terms(body);
CREATE VIRTUAL TABLE spec_search USING fts5 (
  title, tags, id, search_terms,
  content = 'specs', content_rowid = 'seq', tokenize = 'ascii'
);
INSERT INTO spec_search (spec_search) VALUES ('rebuild');
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (received_at);
CREATE TRIGGER specs_search_insert AFTER INSERT ON specs BEGIN
  INSERT INTO spec_search (rowid, title, tags, id, search_terms)
  VALUES (new.seq, new.title, new.tags, new.id, new.search_terms);
END;
CREATE TRIGGER specs_search_delete AFTER DELETE ON specs BEGIN
  INSERT INTO spec_search (spec_search, rowid, title, tags, id, search_terms)
  VALUES ('delete', old.seq, old.title, old.tags, old.id, old.search_terms);
END;
CREATE TRIGGER specs_search_update AFTER UPDATE OF title, tags, id, search_terms ON specs BEGIN
  INSERT INTO spec_search (spec_search, rowid, title, tags, id, search_terms)
  VALUES ('delete', old.seq, old.title, old.tags, old.id, old.search_terms);
  INSERT INTO spec_search (rowid, title, tags, id, search_terms)
  VALUES (new.seq, new.title, new.tags, new.id, new.search_terms);
END;
)sql";

constexpr const char *postgres_v2 = R"sql(
ALTER TABLE specs ALTER COLUMN search DROP EXPRESSION;
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (received_at);
DO $$
BEGIN
  ALTER TABLE specs ALTER COLUMN body SET COMPRESSION lz4;
  ALTER TABLE specs ALTER COLUMN frontmatter SET COMPRESSION lz4;
  ALTER TABLE specs ALTER COLUMN search SET COMPRESSION lz4;
  ALTER TABLE spec_files ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL; -- a server built without lz4 keeps pglz
END $$;
)sql";

// v3, the GitHub sync (src/github/sync.cpp): a durable queue of requested syncs with each
// project's rate-limit retry time (sync_schedule), fetched blobs kept by SHA until stored
// (blob_cache), and the path a sync took, its bytes, duration and commit (sync_runs).
constexpr const char *sqlite_v3 = R"sql(
CREATE TABLE sync_schedule (
  project_id   TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  requested_at INTEGER NOT NULL DEFAULT 0,
  request_seq  INTEGER NOT NULL DEFAULT 0,
  hint         TEXT NOT NULL DEFAULT '',
  retry_at     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE blob_cache (
  sha       TEXT PRIMARY KEY,
  content   BLOB NOT NULL,
  stored_at INTEGER NOT NULL
) WITHOUT ROWID;
ALTER TABLE sync_runs ADD COLUMN path TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_runs ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN duration_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN commit_sha TEXT NOT NULL DEFAULT '';
)sql";

constexpr const char *postgres_v3 = R"sql(
CREATE TABLE sync_schedule (
  project_id   TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  requested_at BIGINT NOT NULL DEFAULT 0,
  request_seq  BIGINT NOT NULL DEFAULT 0,
  hint         TEXT NOT NULL DEFAULT '',
  retry_at     BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE blob_cache (
  sha       TEXT PRIMARY KEY,
  content   BYTEA NOT NULL,
  stored_at BIGINT NOT NULL
);
ALTER TABLE sync_runs ADD COLUMN path TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_runs ADD COLUMN bytes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN duration_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN commit_sha TEXT NOT NULL DEFAULT '';
)sql";

// v4 "search rows written by the store": SQLite's triggers that kept the FTS5 table in step
// row by row are dropped; replace_specs and remove_project write the full-text rows of a whole
// snapshot with one statement each (sqlite_store.cpp, SearchRows), three times faster for a
// large write. PostgreSQL already writes its search column from the client: nothing changes.
constexpr const char *sqlite_v4 = R"sql(
DROP TRIGGER specs_search_insert;
DROP TRIGGER specs_search_delete;
DROP TRIGGER specs_search_update;
)sql";

constexpr const char *postgres_v4 = "DO $$ BEGIN END $$";

// v5 "lighter snapshot writes" (PostgreSQL; nothing changes in SQLite):
// - A write's new search entries wait in the GIN index's pending list (fast update) instead of
//   being merged into its tree by the writer, which made a large snapshot's transaction twice
//   as long; the store merges the list right after the commit on a connection of its own
//   (gin_clean_pending_list), and searches read the list meanwhile. 16 MB holds about 1,500
//   specs' entries: a larger write still merges in line.
// - A README that is its frontmatter followed by exactly the body is kept in its spec row as
//   that head (readme_head, with its blob SHA in readme_sha) instead of as a file row holding
//   the body a second time: a 300-spec snapshot writes 3 MB less. Rows written before keep
//   their README file row (readme_head NULL), as do READMEs with a BOM, CRLF or invalid UTF-8.
// - Files and relationships reference their project instead of their spec row: the per-row
//   check against a spec row that the same transaction had just rewritten cost up to 0.2 ms
//   (a 300-spec snapshot has 700 such rows). The store writes and deletes them with their spec;
//   removing a project still removes them.
constexpr const char *sqlite_v5 = "";
constexpr const char *postgres_v5 = R"sql(
ALTER INDEX specs_search SET (fastupdate = on, gin_pending_list_limit = 16384);
ALTER TABLE specs ADD COLUMN readme_head TEXT, ADD COLUMN readme_sha TEXT;
ALTER TABLE spec_files DROP CONSTRAINT spec_files_project_id_spec_path_fkey,
  ADD FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE;
ALTER TABLE relationships DROP CONSTRAINT relationships_project_id_spec_path_fkey,
  ADD FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE;
)sql";

// v6 "sync run retry times": a rate-limited run keeps when it may run again (unix seconds until
// v8, then unix ms), so the run history tells what sync_now answered.
constexpr const char *sqlite_v6 = R"sql(
ALTER TABLE sync_runs ADD COLUMN retry_at INTEGER NOT NULL DEFAULT 0;
)sql";
constexpr const char *postgres_v6 = R"sql(
ALTER TABLE sync_runs ADD COLUMN retry_at BIGINT NOT NULL DEFAULT 0;
)sql";

// v7 "snapshot spec counts": each project records how many spec folders its snapshot holds,
// written with the snapshot, so a read that finds another number (a damaged file whose pages
// lost rows without SQLite noticing) fails instead of serving part of the snapshot.
constexpr const char *sqlite_v7 = R"sql(
ALTER TABLE projects ADD COLUMN spec_count INTEGER NOT NULL DEFAULT 0;
UPDATE projects SET spec_count = (SELECT count(*) FROM specs WHERE specs.project_id = projects.id);
)sql";
constexpr const char *postgres_v7 = R"sql(
ALTER TABLE projects ADD COLUMN spec_count BIGINT NOT NULL DEFAULT 0;
UPDATE projects SET spec_count = (SELECT count(*) FROM specs WHERE specs.project_id = projects.id);
)sql";

// v8 "one name per concept": every column names its concept as the C++ field and the other
// tables do (docs/GLOSSARY.md). A spec folder's path is `path` in the child tables too
// (spec_files.spec_path, relationships.spec_path); a file's git blob SHA is `content_hash`
// (spec_files.blob_sha, blob_cache.sha, PostgreSQL's specs.readme_sha as readme_content_hash);
// the commit a snapshot comes from is `commit_sha` (projects.last_commit, as sync_runs has it);
// durations and times are milliseconds: projects.sync_interval_s becomes sync_interval_ms and
// sync_runs.retry_at unix ms (both values x1000). RENAME COLUMN (SQLite 3.25+) rewrites the
// foreign keys and indexes that name a column; the FTS5 table and its rows name none of these.
constexpr const char *sqlite_v8 = R"sql(
ALTER TABLE spec_files RENAME COLUMN spec_path TO path;
ALTER TABLE spec_files RENAME COLUMN blob_sha TO content_hash;
ALTER TABLE relationships RENAME COLUMN spec_path TO path;
ALTER TABLE blob_cache RENAME COLUMN sha TO content_hash;
ALTER TABLE projects RENAME COLUMN last_commit TO commit_sha;
ALTER TABLE projects RENAME COLUMN sync_interval_s TO sync_interval_ms;
UPDATE projects SET sync_interval_ms = sync_interval_ms * 1000;
UPDATE sync_runs SET retry_at = retry_at * 1000 WHERE retry_at <> 0;
)sql";
constexpr const char *postgres_v8 = R"sql(
ALTER TABLE spec_files RENAME COLUMN spec_path TO path;
ALTER TABLE spec_files RENAME COLUMN blob_sha TO content_hash;
ALTER TABLE relationships RENAME COLUMN spec_path TO path;
ALTER TABLE blob_cache RENAME COLUMN sha TO content_hash;
ALTER TABLE specs RENAME COLUMN readme_sha TO readme_content_hash;
ALTER TABLE projects RENAME COLUMN last_commit TO commit_sha;
ALTER TABLE projects RENAME COLUMN sync_interval_s TO sync_interval_ms;
UPDATE projects SET sync_interval_ms = sync_interval_ms * 1000;
UPDATE sync_runs SET retry_at = retry_at * 1000 WHERE retry_at <> 0;
)sql";

// v9 "database search" (Store::search, src/db/search/): SQLite gets spec_search_vocab, an
// fts5vocab table over the full-text index (no storage of its own: it reads the index), where
// fuzzy words find their vocabulary terms. PostgreSQL gets leanspec_time(text), unix ms of a
// date or timestamp as leanspec::parse_timestamp reads it (NULL for anything else), for the
// created:/updated: filters; SQLite's store defines the same function on its connections.
// Nothing is rewritten: the indexes keep their columns and weights.
constexpr const char *sqlite_v9 = R"sql(
CREATE VIRTUAL TABLE spec_search_vocab USING fts5vocab (spec_search, row);
)sql";
constexpr const char *postgres_v9 = R"sql(
CREATE FUNCTION leanspec_time(value text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  parts text[] := regexp_match(btrim(value, E' \t\n\r\f\v'),
    '^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$');
  day date;
  ms bigint;
  zone text;
BEGIN
  IF parts IS NULL OR (parts[2] IS NULL AND parts[6] IS NOT NULL) THEN
    RETURN NULL;
  END IF;
  day := to_date(parts[1], 'YYYY-MM-DD');
  IF to_char(day, 'YYYY-MM-DD') <> parts[1] THEN
    RETURN NULL; -- no such day (to_date rolls 02-30 over)
  END IF;
  ms := (day - DATE '1970-01-01')::bigint * 86400000;
  IF parts[2] IS NOT NULL THEN
    IF parts[2]::int > 23 OR parts[3]::int > 59 OR coalesce(parts[4], '0')::int > 60 THEN
      RETURN NULL;
    END IF;
    ms := ms + parts[2]::bigint * 3600000 + parts[3]::bigint * 60000
          + coalesce(parts[4], '0')::bigint * 1000
          + coalesce(rpad(left(parts[5], 3), 3, '0'), '0')::bigint;
  END IF;
  IF parts[6] ~ '^[+-]' THEN
    zone := replace(parts[6], ':', '');
    ms := ms - (CASE WHEN left(zone, 1) = '-' THEN -1 ELSE 1 END)
          * (substr(zone, 2, 2)::bigint * 3600000
             + (CASE WHEN length(zone) = 5 THEN substr(zone, 4, 2) ELSE '0' END)::bigint * 60000);
  END IF;
  RETURN ms;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;
)sql";

// v10 "search heads" (SQLite): a covering index of what a ranked search reads before any
// body (src/db/sqlite/search_statements.cpp, bounded_search_statement): the match's row by seq,
// its project, number, id, path, title, tags and archived flag. Without it every match reads its
// row's leaf page (a page per spec: the body is stored inline), 68,000 pages for a common word
// over 1,000 projects. PostgreSQL's search reads one tsvector column instead: nothing to do.
constexpr const char *sqlite_v10 = R"sql(
CREATE INDEX specs_search_heads ON specs (seq, project_id, number, id, path, title, tags, archived);
)sql";
constexpr const char *postgres_v10 = R"sql(
DO $$ BEGIN END $$; -- nothing: see sqlite_v10
)sql";

// v11 "search heads" (PostgreSQL): `search_head`, the search vector's title, tags and id
// labels alone (ts_filter of A and B), kept by the server from `search` on every write. A
// search with a limit scores each match on it first, and reads the whole vector (from the TOAST
// table, 5 KB on average) only for the matches that can reach the page
// (src/db/postgres/search_statements.cpp, bounded_search_statement): ranking "api" over 1,000
// projects read 68,000 vectors. The head is small enough to stay in the row. Adding it
// rewrites the table once. SQLite has its covering index since v10: nothing to do.
constexpr const char *sqlite_v11 = R"sql(
SELECT 1; -- nothing: see postgres_v11
)sql";
constexpr const char *postgres_v11 = R"sql(
ALTER TABLE specs ADD COLUMN search_head TSVECTOR
  GENERATED ALWAYS AS (ts_filter(search, '{a,b}')) STORED;
)sql";

// v12 "github writes": a project's write mode (`commit` to its branch, or `pull_request` from
// a new branch; GithubSync::write_file) and the root tree SHA of its stored commit, the base of
// the tree a write makes (without it a write asks GitHub for the commit first).
constexpr const char *sqlite_v12 = R"sql(
ALTER TABLE projects ADD COLUMN commit_tree TEXT NOT NULL DEFAULT '';
ALTER TABLE projects ADD COLUMN write_mode TEXT NOT NULL DEFAULT 'commit';
)sql";
constexpr const char *postgres_v12 = R"sql(
ALTER TABLE projects ADD COLUMN commit_tree TEXT NOT NULL DEFAULT '',
  ADD COLUMN write_mode TEXT NOT NULL DEFAULT 'commit';
)sql";

constexpr Migration all[] = {
    {1, "initial schema", sqlite_v1, postgres_v1},
    {2, "search terms", sqlite_v2, postgres_v2},
    {3, "github sync queue, blob cache, sync run details", sqlite_v3, postgres_v3},
    {4, "search rows written by the store", sqlite_v4, postgres_v4},
    {5, "lighter snapshot writes", sqlite_v5, postgres_v5},
    {6, "sync run retry times", sqlite_v6, postgres_v6},
    {7, "snapshot spec counts", sqlite_v7, postgres_v7},
    {8, "one name per concept", sqlite_v8, postgres_v8},
    {9, "database search", sqlite_v9, postgres_v9},
    {10, "search heads", sqlite_v10, postgres_v10},
    {11, "search heads (PostgreSQL)", sqlite_v11, postgres_v11},
    {12, "github writes", sqlite_v12, postgres_v12},
};

} // namespace

std::span<const Migration> migrations() noexcept { return all; }

} // namespace leanspec::detail
