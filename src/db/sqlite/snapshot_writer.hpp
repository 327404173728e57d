#pragma once
// Internal: SnapshotWriter, the statements of one SQLite snapshot write (src/db/sqlite_store.cpp).

#include "db/spec_rows.hpp"
#include "db/sqlite/connection.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>

namespace leanspec::detail::sqlite {

// The statements of one snapshot write, prepared once per transaction: a folder's spec row,
// files and relationships written, or the folder removed. Single-thread; used inside the
// write transaction only.
class SnapshotWriter {
public:
  SnapshotWriter(Connection &db, const std::string &project, std::int64_t version)
      : project_(project), version_(version),
        insert_spec_(
            db,
            "INSERT INTO specs (project_id, path, id, number, number_text, slug, title, status, "
            "priority, tags, assignee, created, created_at, updated_at, completed, "
            "completed_at, parent, archived, frontmatter, body, content_hash, files_hash, "
            "written_version, search_terms) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
            "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)"),
        update_spec_(
            db, "UPDATE specs SET id = ?3, number = ?4, number_text = ?5, slug = ?6, title = ?7, "
                "status = ?8, priority = ?9, tags = ?10, assignee = ?11, created = ?12, "
                "created_at = ?13, updated_at = ?14, completed = ?15, completed_at = ?16, "
                "parent = ?17, archived = ?18, frontmatter = ?19, body = ?20, content_hash = ?21, "
                "files_hash = ?22, written_version = ?23, search_terms = ?24 "
                "WHERE project_id = ?1 AND path = ?2"),
        stored_files_(
            db, "SELECT name, content_hash FROM spec_files WHERE project_id = ? AND path = ?"),
        delete_file_(db, "DELETE FROM spec_files WHERE project_id = ? AND path = ? AND name = ?"),
        delete_relationships_(db, "DELETE FROM relationships WHERE project_id = ? AND path = ?"),
        write_file_(db, "INSERT OR REPLACE INTO spec_files (project_id, path, name, content, "
                        "content_hash) VALUES (?, ?, ?, ?, ?)"),
        insert_relationship_(db, "INSERT INTO relationships (project_id, path, kind, position, "
                                 "ref) VALUES (?, ?, ?, ?, ?)"),
        delete_spec_(db, "DELETE FROM specs WHERE project_id = ? AND path = ?") {}

  /// Writes a new folder (or, with `update`, a changed one): its spec row (then calls
  /// `row_written`), the files whose blob SHA changed, and its relationships.
  template <class F>
  void write_folder(const PreparedSpec &spec, const SpecRow &row, bool update, F &&row_written) {
    const std::string &path = spec.spec->path;
    write_row(spec, row, update);
    row_written();
    std::unordered_map<std::string, std::string> kept; // name -> stored blob SHA
    if (update) {
      kept = stored_files(path);
      run(delete_relationships_, path);
    }
    write_files(spec, std::move(kept));
    for (const auto &relationship : row.relationships) {
      insert_relationship_.reset();
      insert_relationship_.bind(1, project_);
      insert_relationship_.bindNoCopy(2, path);
      insert_relationship_.bindNoCopy(3, relationship.kind);
      insert_relationship_.bind(4, relationship.position);
      insert_relationship_.bindNoCopy(5, relationship.ref);
      insert_relationship_.exec();
    }
  }

  /// Deletes a folder's spec row (its files and relationships go with it: foreign keys).
  void remove_folder(const std::string &path) { run(delete_spec_, path); }

private:
  void write_row(const PreparedSpec &spec, const SpecRow &row, bool update) {
    SQLite::Statement &q = update ? update_spec_ : insert_spec_;
    q.reset();
    q.clearBindings();
    q.bind(1, project_);
    q.bindNoCopy(2, spec.spec->path);
    q.bindNoCopy(3, row.id);
    if (row.number)
      q.bind(4, *row.number);
    else
      q.bind(4);
    q.bindNoCopy(5, row.number_text);
    q.bindNoCopy(6, row.slug);
    q.bindNoCopy(7, row.title);
    q.bindNoCopy(8, row.status);
    if (row.priority)
      q.bindNoCopy(9, *row.priority);
    else
      q.bind(9);
    q.bindNoCopy(10, row.tags_json);
    q.bindNoCopy(11, row.assignee);
    q.bindNoCopy(12, row.created);
    q.bindNoCopy(13, row.created_at);
    q.bindNoCopy(14, row.updated_at);
    q.bindNoCopy(15, row.completed);
    q.bindNoCopy(16, row.completed_at);
    q.bindNoCopy(17, row.parent);
    q.bind(18, row.archived ? 1 : 0);
    q.bindNoCopy(19, row.frontmatter_json);
    q.bindNoCopy(20, row.body);
    q.bindNoCopy(21, row.content_hash);
    q.bindNoCopy(22, spec.files_hash);
    q.bind(23, version_);
    q.bind(24, joined(row.body_terms));
    q.exec();
  }

  // The folder's stored files: name -> blob SHA.
  std::unordered_map<std::string, std::string> stored_files(const std::string &path) {
    std::unordered_map<std::string, std::string> out;
    stored_files_.reset();
    stored_files_.bind(1, project_);
    stored_files_.bindNoCopy(2, path);
    while (stored_files_.executeStep())
      out.emplace(stored_files_.getColumn(0).getString(), stored_files_.getColumn(1).getString());
    return out;
  }

  // Writes the files whose blob SHA differs from `kept` (the stored ones) and deletes the
  // stored files the folder no longer has.
  void write_files(const PreparedSpec &spec, std::unordered_map<std::string, std::string> kept) {
    const std::string &path = spec.spec->path;
    for (std::size_t i = 0; i < spec.files.size(); ++i) {
      const StoredFile &file = *spec.files[i];
      const auto stored = kept.find(file.name);
      const bool same = stored != kept.end() && stored->second == spec.content_hashes[i];
      if (stored != kept.end())
        kept.erase(stored);
      if (same)
        continue;
      write_file_.reset();
      write_file_.bind(1, project_);
      write_file_.bindNoCopy(2, path);
      write_file_.bindNoCopy(3, file.name);
      write_file_.bindNoCopy(4, file.content.data(), static_cast<int>(file.content.size()));
      write_file_.bindNoCopy(5, spec.content_hashes[i]);
      write_file_.exec();
    }
    for (const auto &[name, sha] : kept) {
      delete_file_.reset();
      delete_file_.bind(1, project_);
      delete_file_.bindNoCopy(2, path);
      delete_file_.bindNoCopy(3, name);
      delete_file_.exec();
    }
  }

  // Runs a statement of (project_id, path).
  void run(SQLite::Statement &q, const std::string &path) {
    q.reset();
    q.bind(1, project_);
    q.bindNoCopy(2, path);
    q.exec();
  }

  const std::string &project_;
  std::int64_t version_; ///< the snapshot version being written
  SQLite::Statement insert_spec_, update_spec_, stored_files_, delete_file_, delete_relationships_,
      write_file_, insert_relationship_, delete_spec_;
};

} // namespace leanspec::detail::sqlite
