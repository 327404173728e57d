'use strict';
// @libleanspec/node: the idioms over the native addon (src/*.cpp). The addon returns each
// result as the library's own JSON (to_json, built on the thread pool), which this file parses:
// the objects are exactly what every other front-end prints. Every call that may touch the
// disk or a database, or wait, returns a Promise settled off the event loop; errors are
// Error objects with `code` ('not_found', 'ambiguous', 'invalid_argument', ...).

const { EventEmitter } = require('node:events');
const { addonPath } = require('./lib/prebuild.js');

// LEANSPEC_NODE_ADDON points at another build of the addon (ctest uses the one it built); else
// this package's own build, else its prebuilt addon (lib/prebuild.js).
const native = require(addonPath());

// process.exit() skips the env's teardown and runs the C exit() at once: the sync schedulers
// still running are stopped first, or their threads would outlive the library's statics.
process.on('exit', () => native.stopSchedulers());

const internal = Symbol('leanspec.native');

function invalid(message) {
  const error = new Error(message);
  error.code = 'invalid_argument';
  return error;
}

// The options object of a call, with only `known` keys (a typo is an error, not a no-op).
function options(value, what, known) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${what}: expected an object`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw invalid(`${what}: unknown option '${key}'`);
  }
  return value;
}

const parse = (json) => (json === null ? null : JSON.parse(json));

/**
 * What every source serves. Not constructed directly: use FilesystemSource.open(),
 * DatabaseSource.open() or new CachingSource(inner). Emits 'change' with a ChangeEvent.
 */
class SpecSource extends EventEmitter {
  #native;
  #json = null;
  #changeSubscription = null;
  #subscriptions = new Set();

  constructor(token, handle) {
    super();
    if (token !== internal) throw new TypeError(`${new.target.name} objects are made by its factory`);
    this.#native = handle;
    this.#manageChangeSubscription();
  }

  // One native subscription feeds every 'change' listener; it lives while there are any.
  #manageChangeSubscription() {
    this.on('newListener', (event) => {
      if (event === 'change' && this.#changeSubscription === null) {
        this.#changeSubscription = this.subscribe((e) => this.emit('change', e));
      }
    });
    this.on('removeListener', (event) => {
      if (event === 'change' && this.listenerCount('change') === 0 && this.#changeSubscription) {
        const unsubscribe = this.#changeSubscription;
        this.#changeSubscription = null;
        unsubscribe();
      }
    });
  }

  /** EventEmitter's, keeping the bookkeeping of 'change' listeners when all are removed. */
  removeAllListeners(...event) {
    super.removeAllListeners(...event); // EventEmitter tells "no argument" from undefined
    if (event.length === 0) this.#manageChangeSubscription();
    return this;
  }

  /** @internal the native object (CachingSource wraps it). */
  get [internal]() {
    return this.#native;
  }

  /**
   * The same calls, resolving with the library's JSON text instead of objects: the bytes every
   * front-end prints (a parsed object lists number-like keys such as a frontmatter "2024"
   * first, as every JS object does), and what an HTTP route can send without re-serializing.
   */
  get json() {
    const n = this.#native;
    this.#json ??= Object.freeze({
      projects: async () => n.projects(),
      list: async (query) => n.list(query),
      get: async (ref, opts) => {
        const parts = await n.get(ref, options(opts, 'get options', ['projectId']).projectId, false);
        return parts === null ? null : parts[0];
      },
      search: async (text, opts) => n.search(text, opts),
      stats: async (opts) => n.stats(options(opts, 'stats options', ['projectId']).projectId),
      relationships: async (ref, opts) => n.relationships(ref, options(opts, 'relationships options', ['projectId']).projectId),
      validate: async (opts) => n.validate(options(opts, 'validate options', ['projectId']).projectId),
      byStatus: async (opts) => n.byStatus(options(opts, 'byStatus options', ['projectId']).projectId),
    });
    return this.#json;
  }

  async projects() {
    return parse(await this.#native.projects());
  }

  async list(query) {
    return parse(await this.#native.list(query));
  }

  async get(ref, opts) {
    const { projectId, html } = options(opts, 'get options', ['projectId', 'html']);
    const parts = await this.#native.get(ref, projectId, Boolean(html));
    if (parts === null) return null;
    const spec = JSON.parse(parts[0]);
    if (html) {
      spec.contentHtml = parts[1];
      spec.subSpecs.forEach((sub, i) => {
        sub.contentHtml = parts[2 + i];
      });
    }
    return spec;
  }

  async search(text, opts) {
    return parse(await this.#native.search(text, opts));
  }

  async stats(opts) {
    return parse(await this.#native.stats(options(opts, 'stats options', ['projectId']).projectId));
  }

  async relationships(ref, opts) {
    const { projectId } = options(opts, 'relationships options', ['projectId']);
    return parse(await this.#native.relationships(ref, projectId));
  }

  async validate(opts) {
    return parse(await this.#native.validate(options(opts, 'validate options', ['projectId']).projectId));
  }

  async byStatus(opts) {
    return parse(await this.#native.byStatus(options(opts, 'byStatus options', ['projectId']).projectId));
  }

  /**
   * Calls `listener` with each ChangeEvent; returns the function that unsubscribes. Like
   * fs.watch, a subscription keeps the process alive unless `persistent: false`.
   */
  subscribe(listener, opts) {
    if (typeof listener !== 'function') throw invalid('listener: expected a function');
    const { persistent = true } = options(opts, 'subscribe options', ['persistent']);
    let active = true;
    const subscription = this.#native.subscribe((json) => {
      if (active) listener(JSON.parse(json)); // events queued before unsubscribe() are dropped
    }, Boolean(persistent));
    const unsubscribe = () => {
      if (!active) return;
      active = false;
      this.#subscriptions.delete(unsubscribe);
      subscription.unsubscribe();
    };
    this.#subscriptions.add(unsubscribe);
    return unsubscribe;
  }

  /** Ends every subscription and releases the source (off the event loop). Later calls reject. */
  async close() {
    this.removeAllListeners('change');
    for (const unsubscribe of [...this.#subscriptions]) unsubscribe();
    await this.#native.close();
  }
}

/** The specs directory beside the app, served from memory; `watch` follows its changes. */
class FilesystemSource extends SpecSource {
  /** Reads the whole specs directory (on the thread pool). */
  static async open(opts) {
    return new FilesystemSource(internal, await native.openFilesystem(opts));
  }

  async reload() {
    await this[internal].reload();
  }

  get version() {
    return this[internal].version;
  }

  get options() {
    return this[internal].options;
  }
}

/** Keeps any source's results for a time to live; change events invalidate at once. */
class CachingSource extends SpecSource {
  #inner;

  constructor(inner, opts) {
    if (!(inner instanceof SpecSource)) throw invalid('inner: expected a SpecSource');
    super(internal, native.makeCaching(inner[internal], opts));
    this.#inner = inner;
  }

  get inner() {
    return this.#inner;
  }

  /** Drops every cached result, or those that may mention the spec `ref` (id, number or slug) names. */
  invalidate(ref, opts) {
    const { projectId } = options(opts, 'invalidate options', ['projectId']);
    if (ref === undefined) this[internal].invalidate();
    else this[internal].invalidate(ref, projectId);
  }

  counters() {
    return JSON.parse(this[internal].counters());
  }
}

// The project registry, shared by DatabaseSource and SpecsService (the same native members).
async function addProject(project) {
  await this[internal].addProject(project);
}
async function updateProject(project) {
  await this[internal].updateProject(project);
}
async function removeProject(id) {
  return this[internal].removeProject(id);
}
async function registeredProjects() {
  return JSON.parse(await this[internal].registeredProjects());
}
async function importDirectory(projectId, specsDir) {
  return JSON.parse(await this[internal].importDirectory(projectId, specsDir));
}

// A webhook delivery as the native calls take it: headers (a plain object, a Headers or a Map)
// as {name: string}, the body as a Buffer (a Uint8Array is viewed, not copied) or a string.
function delivery(headers, body) {
  if (headers === null || typeof headers !== 'object') throw invalid('headers: expected an object of strings');
  const plain = {};
  for (const [name, value] of typeof headers.entries === 'function' ? headers.entries() : Object.entries(headers)) {
    plain[name] = String(value);
  }
  const raw = ArrayBuffer.isView(body) && !Buffer.isBuffer(body) ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : body;
  return [plain, raw];
}

/** The specs of registered GitHub projects, stored in SQLite or PostgreSQL. */
class DatabaseSource extends SpecSource {
  /** Opens (and migrates) the database (on the thread pool). */
  static async open(opts) {
    return new DatabaseSource(internal, await native.openDatabase(opts));
  }

  get description() {
    return this[internal].description;
  }
}

/**
 * What a web app creates: the configured sources (a watched specs directory, a database), each
 * cached, routed by project id, answering from the last good data when one fails. In database
 * and both modes it also owns the GitHub sync: startSync/stopSync, syncNow, requestSync,
 * syncRuns, handleWebhook.
 */
class SpecsService extends SpecSource {
  /** From `config`, or from the environment (SPECS_MODE, SPECS_DIR, ...) when omitted. */
  static async open(config) {
    return new SpecsService(internal, await native.openService(config));
  }

  /** Every problem of a config, one sentence each naming the variable; [] when usable. */
  static async problems(config) {
    return native.serviceConfigProblems(config ?? {});
  }

  get mode() {
    return this[internal].mode;
  }

  get filesystemProjectId() {
    return this[internal].filesystemProjectId;
  }

  async servedProjects() {
    return JSON.parse(await this[internal].servedProjects());
  }

  async health() {
    return JSON.parse(await this[internal].health());
  }

  async isStale(opts) {
    return this[internal].isStale(options(opts, 'isStale options', ['projectId']).projectId);
  }

  /** Drops every cached result, or those that may mention the spec `ref` names. */
  invalidate(ref, opts) {
    const { projectId } = options(opts, 'invalidate options', ['projectId']);
    if (ref === undefined) this[internal].invalidate();
    else this[internal].invalidate(ref, projectId);
  }

  /** For POST /api/revalidate: true (and invalidated) only for the configured secret. */
  revalidate(secret, opts) {
    const { ref, projectId } = options(opts, 'revalidate options', ['ref', 'projectId']);
    return this[internal].revalidate(secret, ref, projectId);
  }

  cacheStats() {
    return JSON.parse(this[internal].cacheStats());
  }

  /**
   * Starts the GitHub sync scheduler (database and both modes): every registered project at
   * its interval, queued and webhook syncs as soon as possible. Rejects 'not_found' without
   * database mode.
   */
  async startSync() {
    await this[internal].startSync();
  }

  /** Stops the scheduler; resolves once its threads have ended. */
  async stopSync() {
    await this[internal].stopSync();
  }

  /** One sync of `projectId` now, off the event loop; GitHub failures are in the run. */
  async syncNow(projectId) {
    return JSON.parse(await this[internal].syncNow(projectId));
  }

  /**
   * Writes `update` into the README of the spec `ref` names, if the file's content hash is still
   * `baseHash` (the contentHash the caller read); only the lines it touches change. Resolves with
   * the spec as written, which the service's next call also sees. Rejects 'conflict' when the
   * file moved on (nothing written).
   */
  async update(ref, update, opts) {
    const { baseHash, projectId } = options(opts, 'update options', ['baseHash', 'projectId']);
    return parse(await this[internal].update(ref, update, baseHash, projectId));
  }

  /**
   * Creates a spec ({title, slug?, status?, priority?, tags?, assignee?, body?}): in the specs
   * directory, numbered after the others, from the project's template; in a GitHub project
   * (opts.projectId), committed to its repository. Resolves with the new spec.
   */
  async create(spec, opts) {
    const { projectId } = options(opts, 'create options', ['projectId']);
    return parse(await this[internal].create(spec, projectId));
  }

  /** Checks or unchecks the spec's `index`-th task-list item (from 1), as update() writes. */
  async toggleChecklistItem(ref, index, opts) {
    const { baseHash, projectId } = options(opts, 'toggleChecklistItem options', ['baseHash', 'projectId']);
    return parse(await this[internal].toggleChecklistItem(ref, index, baseHash, projectId));
  }

  /** Queues a sync of `projectId`, durably (a scheduler in any instance runs it). */
  async requestSync(projectId) {
    await this[internal].requestSync(projectId);
  }

  /** The project's stored sync runs, newest first, whichever instance ran them. */
  async syncRuns(projectId, opts) {
    return JSON.parse(await this[internal].syncRuns(projectId, options(opts, 'syncRuns options', ['limit'])));
  }

  /**
   * For POST /api/webhooks/github: `headers` as received, `body` the raw bytes. The library
   * checks the signature; answer with the result's status. Never rejects for a bad delivery.
   */
  async handleWebhook(headers, body) {
    return JSON.parse(await this[internal].handleWebhook(...delivery(headers, body)));
  }
}

for (const cls of [DatabaseSource, SpecsService]) {
  for (const method of [addProject, updateProject, removeProject, registeredProjects, importDirectory]) {
    Object.defineProperty(cls.prototype, method.name, { value: method, writable: true, configurable: true });
  }
}

/**
 * Mirrors GitHub repositories registered in a DatabaseSource's store into it: syncNow (a cron
 * route), requestSync, syncRuns, handleWebhook (a webhook route; verifies the signature), and a
 * background scheduler (start/stop). Made by GithubSync.open(database, options). A SpecsService
 * in database mode has its own (the same calls), which is what a web app uses.
 */
class GithubSync {
  #native;

  constructor(token, handle) {
    if (token !== internal) throw new TypeError('GithubSync objects are made by GithubSync.open()');
    this.#native = handle;
  }

  static async open(database, opts) {
    if (!(database instanceof DatabaseSource)) throw invalid('database: expected a DatabaseSource');
    const o = options(opts, 'sync options', ['apiUrl', 'token', 'webhookSecrets', 'concurrency', 'workers', 'deadlineMs']);
    return new GithubSync(internal, await native.openGithubSync(database[internal], o));
  }

  /** One sync of `projectId` now, off the event loop; failures are in the run, not thrown. */
  async syncNow(projectId) {
    return JSON.parse(await this.#native.syncNow(projectId));
  }

  async requestSync(projectId) {
    await this.#native.requestSync(projectId);
  }

  /** The project's stored sync runs, newest first, whichever process ran them. */
  async syncRuns(projectId, opts) {
    return JSON.parse(await this.#native.syncRuns(projectId, options(opts, 'syncRuns options', ['limit'])));
  }

  /** `headers`: name -> value as received; `body`: the raw bytes (Buffer) or text. */
  async handleWebhook(headers, body) {
    return JSON.parse(await this.#native.handleWebhook(...delivery(headers, body)));
  }

  start() {
    this.#native.start();
  }

  async stop() {
    await this.#native.stop();
  }

  get running() {
    return this.#native.running;
  }
}

/** Markdown to HTML (GFM: tables, task lists, ...); raw HTML is dropped unless allowed. */
async function renderHtml(markdown, opts) {
  const { allowRawHtml = false } = options(opts, 'renderHtml options', ['allowRawHtml']);
  return native.renderHtml(markdown, Boolean(allowRawHtml));
}

/** The FilesystemOptions a project folder's .lean-spec/config.json asks for. */
async function discoverOptions(projectDir) {
  return native.discoverOptions(projectDir);
}

const defaultCacheDir = () => native.defaultCacheDir();
const cacheOptionsFromEnv = () => native.cacheOptionsFromEnv();
const version = native.version;
const statuses = Object.freeze([...native.statuses]);
const priorities = Object.freeze([...native.priorities]);
const errorCodes = Object.freeze([...native.errorCodes]);

// Names only: Node finds the named exports an ES module may import from this object literal
// (cjs-module-lexer), and stops at the first entry that is not a plain name (test/esm.test.js).
module.exports = {
  SpecSource,
  FilesystemSource,
  CachingSource,
  DatabaseSource,
  SpecsService,
  GithubSync,
  renderHtml,
  discoverOptions,
  defaultCacheDir,
  cacheOptionsFromEnv,
  version,
  statuses,
  priorities,
  errorCodes,
};
