'use strict';
// @libleanspec/node/spec-rows: the interface web apps built on LeanSpec's seed design read specs
// through (getAllSpecs, getSpec, getSpecsByStatus, searchSpecs, invalidateCache, resolving with
// the rows of their `specs` table), over any SpecSource of this package, so that such an app
// swaps its own source for this one with one import. The choices where the library and such an
// app see a spec differently are documented in spec-rows.d.ts and tested in
// test/spec_rows.test.js.

const { SpecSource, SpecsService } = require('./index.js');

function invalid(message) {
  const error = new Error(message);
  error.code = 'invalid_argument';
  return error;
}

/** A frontmatter date or timestamp as a Date; null when absent or not a date. */
function toDate(text) {
  if (typeof text !== 'string' || text === '') return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** What getSpec takes: a folder name, a number or a slug, or a path to the folder or its README. */
function refOf(specPath) {
  if (typeof specPath !== 'string' || specPath === '') throw invalid('specPath: expected a non-empty string');
  const parts = specPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length > 1 && parts[parts.length - 1] === 'README.md') parts.pop();
  return parts[parts.length - 1] ?? specPath;
}

class SpecRowSource {
  #source;
  #projectId;

  /** Rows of `source` (a SpecsService, a CachingSource, ...): its default project, or `projectId`'s. */
  constructor(source, options = {}) {
    if (!(source instanceof SpecSource)) throw invalid('source: expected a SpecSource of @libleanspec/node');
    if (options === null || typeof options !== 'object') throw invalid('options: expected an object');
    for (const key of Object.keys(options)) {
      if (key !== 'projectId') throw invalid(`options: unknown option '${key}'`);
    }
    if (options.projectId !== undefined && typeof options.projectId !== 'string') {
      throw invalid('options.projectId: expected a string');
    }
    this.#source = source;
    this.#projectId = options.projectId;
  }

  /** Over SpecsService.open(config) (the environment when omitted). */
  static async open(config, options) {
    return new SpecRowSource(await SpecsService.open(config), options);
  }

  /** The SpecSource the rows come from. */
  get source() {
    return this.#source;
  }

  /** Every spec that is not archived, in number order. */
  async getAllSpecs() {
    return this.#rows({ archived: false });
  }

  /** The specs of one status ('archived' gives the archived ones). */
  async getSpecsByStatus(status) {
    return this.#rows({ status });
  }

  /** The spec a folder name, number or slug names; null when none or when two folders share it. */
  async getSpec(specPath) {
    const ref = refOf(specPath);
    let spec;
    try {
      spec = await this.#source.get(ref, this.#scope());
    } catch (error) {
      if (error.code === 'ambiguous') return null;
      throw error;
    }
    return spec === null ? null : this.#row(spec, await this.#context());
  }

  /** The specs matching a query in LeanSpec's query language, best first (every match). */
  async searchSpecs(query) {
    if (typeof query !== 'string') throw invalid('query: expected a string');
    if (query.trim() === '') return [];
    const { results } = await this.#source.search(query, { ...this.#scope(), limit: 0 });
    return this.#full(results.map((hit) => hit.id));
  }

  /** Drops cached results: every one, or those that may mention the spec `specPath` names. */
  invalidateCache(specPath) {
    if (typeof this.#source.invalidate !== 'function') return; // an uncached source has nothing to drop
    if (specPath === undefined) this.#source.invalidate();
    else this.#source.invalidate(refOf(specPath), this.#scope());
  }

  #scope() {
    return this.#projectId === undefined ? {} : { projectId: this.#projectId };
  }

  async #rows(filter) {
    const page = await this.#source.list({ ...this.#scope(), ...filter, sort: 'number' });
    return this.#full(page.specs.map((summary) => summary.id));
  }

  // Rows carry the body, which a list's summaries do not: one get per spec, all in flight at once.
  async #full(ids) {
    const [context, specs] = await Promise.all([
      this.#context(),
      Promise.all(ids.map((id) => this.#source.get(id, this.#scope()))),
    ]);
    return specs.filter((spec) => spec !== null).map((spec) => this.#row(spec, context));
  }

  // The project the rows belong to, and its GitHub registration when it has one.
  async #context() {
    const projects = await this.#source.projects();
    const project = this.#projectId === undefined
      ? projects[0]
      : projects.find((p) => p.id === this.#projectId);
    const id = project?.id ?? this.#projectId ?? '';
    const source = this.#source;
    const directory = source instanceof SpecsService && (source.mode === 'filesystem' || id === source.filesystemProjectId);
    let registration = null;
    if (typeof source.registeredProjects === 'function' && !directory && id !== '') {
      registration = (await source.registeredProjects()).find((p) => p.id === id) ?? null;
    }
    return { projectId: id, registration, readAt: new Date() };
  }

  #row(spec, { projectId, registration, readAt }) {
    // In the repository for a GitHub project; else in the directory the source reads.
    const filePath = registration === null ? spec.filePath : `${registration.specsPath}/${spec.filePath}`;
    const updated = spec.updatedAt ?? (typeof spec.frontmatter.updated === 'string' ? spec.frontmatter.updated : null);
    return {
      id: spec.id,
      projectId,
      specNumber: spec.specNumber,
      specName: spec.slug,
      title: spec.title,
      status: spec.status,
      priority: spec.priority,
      tags: spec.tags.length === 0 ? null : JSON.stringify(spec.tags),
      assignee: spec.assignee,
      contentMd: spec.contentMd,
      createdAt: toDate(spec.createdAt),
      updatedAt: toDate(updated),
      completedAt: toDate(spec.completedAt),
      filePath,
      githubUrl: registration === null
        ? null
        : `https://github.com/${registration.id}/blob/${encodeURIComponent(registration.branch)}/${filePath}`,
      syncedAt: registration === null ? readAt : registration.lastSyncedAt > 0 ? new Date(registration.lastSyncedAt) : null,
    };
  }
}

module.exports = { SpecRowSource };
