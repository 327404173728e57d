#pragma once
// Internal: SnapshotChunk, one chunk of a PostgreSQL snapshot write.

#include "db/postgres/session.hpp"
#include "db/spec_rows.hpp"

#include <algorithm>
#include <string>
#include <string_view>

namespace leanspec::detail::postgres {

// One chunk of a snapshot write: the columns of its specs, files and relationships, an array
// each, sent as three statements (an upsert of the specs, inserts of the rest).
class SnapshotChunk {
public:
  /// The spec's row and its README. A README that is its frontmatter (valid UTF-8, no NUL)
  /// followed by exactly the body is stored in the row, as that head beside the body (schema
  /// v5), not as a file row holding the body a second time. Any other (a BOM, CRLF, invalid
  /// UTF-8) is a file row as it is.
  void add_spec(const PreparedSpec &spec, const SpecRow &row, const std::string &vector) {
    const std::string &path = spec.spec->path;
    const bool has_readme = !spec.files.empty() && spec.files[0]->name == "README.md";
    std::string_view head;
    bool in_row = false;
    if (has_readme) {
      const std::string_view readme = spec.files[0]->content;
      head = readme.substr(0, readme.size() - std::min(row.body.size(), readme.size()));
      in_row = readme.ends_with(row.body) && find_invalid_utf8(head) == std::string_view::npos &&
               head.find('\0') == std::string_view::npos;
    }
    if (in_row) {
      readme_heads_.text(head);
      readme_shas_.text(spec.content_hashes[0]);
    } else {
      readme_heads_.null();
      readme_shas_.null();
      if (has_readme)
        add_file(spec, 0);
    }
    paths_.text(path);
    ids_.text(row.id);
    row.number ? numbers_.integer(*row.number) : numbers_.null();
    number_texts_.text(row.number_text);
    slugs_.text(row.slug);
    titles_.text(row.title);
    statuses_.text(row.status);
    row.priority ? priorities_.text(*row.priority) : priorities_.null();
    tags_.text(row.tags_json);
    assignees_.text(row.assignee);
    created_.text(row.created);
    created_at_.text(row.created_at);
    updated_at_.text(row.updated_at);
    completed_.text(row.completed);
    completed_at_.text(row.completed_at);
    parents_.text(row.parent);
    archived_.boolean(row.archived);
    frontmatter_.text(row.frontmatter_json);
    bodies_.text(row.body);
    content_hashes_.text(row.content_hash);
    files_hashes_.text(spec.files_hash);
    searches_.raw(vector);
    for (const auto &relationship : row.relationships) {
      rel_paths_.text(path);
      rel_kinds_.text(relationship.kind);
      rel_positions_.integer(relationship.position);
      rel_refs_.text(relationship.ref);
      ++relationships_;
    }
  }
  /// The folder's file spec.files[index].
  void add_file(const PreparedSpec &spec, std::size_t index) {
    file_paths_.text(spec.spec->path);
    file_names_.text(spec.files[index]->name);
    file_contents_.raw(spec.files[index]->content);
    file_shas_.text(spec.content_hashes[index]);
    ++files_;
  }

  void send(Pipeline &pipeline, std::string_view project_id, std::int64_t version) const {
    pipeline.send(
        "INSERT INTO specs (project_id, path, id, number, number_text, slug, title, status, "
        "priority, tags, assignee, created, created_at, updated_at, completed, completed_at, "
        "parent, archived, frontmatter, body, content_hash, files_hash, search, readme_head, "
        "readme_content_hash, written_version) "
        "SELECT $1::text, u.*, $26::bigint FROM unnest($2::text[], $3::text[], $4::int[], "
        "$5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], "
        "$12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], "
        "$18::bool[], $19::json[], $20::text[], $21::text[], $22::text[], $23::tsvector[], "
        "$24::text[], $25::text[]) AS u "
        "ON CONFLICT (project_id, path) DO UPDATE SET id = excluded.id, "
        "number = excluded.number, number_text = excluded.number_text, slug = excluded.slug, "
        "title = excluded.title, status = excluded.status, priority = excluded.priority, "
        "tags = excluded.tags, assignee = excluded.assignee, created = excluded.created, "
        "created_at = excluded.created_at, updated_at = excluded.updated_at, "
        "completed = excluded.completed, completed_at = excluded.completed_at, "
        "parent = excluded.parent, archived = excluded.archived, "
        "frontmatter = excluded.frontmatter, body = excluded.body, "
        "content_hash = excluded.content_hash, files_hash = excluded.files_hash, "
        "search = excluded.search, readme_head = excluded.readme_head, "
        "readme_content_hash = excluded.readme_content_hash, written_version = "
        "excluded.written_version",
        Params()
            .text(project_id)
            .binary(paths_)
            .binary(ids_)
            .binary(numbers_)
            .binary(number_texts_)
            .binary(slugs_)
            .binary(titles_)
            .binary(statuses_)
            .binary(priorities_)
            .binary(tags_)
            .binary(assignees_)
            .binary(created_)
            .binary(created_at_)
            .binary(updated_at_)
            .binary(completed_)
            .binary(completed_at_)
            .binary(parents_)
            .binary(archived_)
            .binary(frontmatter_)
            .binary(bodies_)
            .binary(content_hashes_)
            .binary(files_hashes_)
            .binary(searches_)
            .binary(readme_heads_)
            .binary(readme_shas_)
            .integer(version));
    if (files_)
      pipeline.send("INSERT INTO spec_files (project_id, path, name, content, content_hash) "
                    "SELECT $1::text, u.* FROM unnest($2::text[], $3::text[], $4::bytea[], "
                    "$5::text[]) AS u",
                    Params()
                        .text(project_id)
                        .binary(file_paths_)
                        .binary(file_names_)
                        .binary(file_contents_)
                        .binary(file_shas_));
    if (relationships_)
      pipeline.send("INSERT INTO relationships (project_id, path, kind, position, ref) "
                    "SELECT $1::text, u.* FROM unnest($2::text[], $3::text[], $4::int[], "
                    "$5::text[]) AS u",
                    Params()
                        .text(project_id)
                        .binary(rel_paths_)
                        .binary(rel_kinds_)
                        .binary(rel_positions_)
                        .binary(rel_refs_));
  }

private:
  using A = BinaryArray;
  A paths_{A::text_oid}, ids_{A::text_oid}, numbers_{A::int4_oid}, number_texts_{A::text_oid},
      slugs_{A::text_oid}, titles_{A::text_oid}, statuses_{A::text_oid}, priorities_{A::text_oid},
      tags_{A::text_oid}, assignees_{A::text_oid}, created_{A::text_oid}, created_at_{A::text_oid},
      updated_at_{A::text_oid}, completed_{A::text_oid}, completed_at_{A::text_oid},
      parents_{A::text_oid}, archived_{A::bool_oid}, frontmatter_{A::json_oid},
      bodies_{A::text_oid}, content_hashes_{A::text_oid}, files_hashes_{A::text_oid},
      searches_{A::tsvector_oid}, readme_heads_{A::text_oid}, readme_shas_{A::text_oid};
  A file_paths_{A::text_oid}, file_names_{A::text_oid}, file_contents_{A::bytea_oid},
      file_shas_{A::text_oid};
  A rel_paths_{A::text_oid}, rel_kinds_{A::text_oid}, rel_positions_{A::int4_oid},
      rel_refs_{A::text_oid};
  std::size_t files_ = 0, relationships_ = 0;
};

} // namespace leanspec::detail::postgres
