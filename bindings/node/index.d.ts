// Type declarations of @libleanspec/node (index.js). test/dts.test.js checks that every export
// and every class member declared here exists, and the other way round.
import { EventEmitter } from 'node:events';

export type Status = 'draft' | 'planned' | 'in-progress' | 'complete' | 'archived';
export type Priority = 'low' | 'medium' | 'high' | 'critical';
export type ErrorCode =
  | 'invalid_argument'
  | 'not_found'
  | 'ambiguous'
  | 'config'
  | 'io'
  | 'database'
  | 'network'
  | 'rate_limited'
  | 'unauthorized'
  | 'conflict'
  | 'internal';
export type SortKey = 'number' | 'id' | 'title' | 'status' | 'priority' | 'created' | 'updated';

/** Every rejection and throw of this package: an Error with one of the codes. */
export interface LeanspecError extends Error {
  code: ErrorCode;
}

/** A frontmatter value as written: scalars keep their text. */
export type FrontmatterValue = string | null | FrontmatterValue[] | { [key: string]: FrontmatterValue };

export interface Diagnostic {
  severity: 'error' | 'warning';
  specId: string | null;
  file: string;
  line: number;
  code: string;
  message: string;
}

/** A spec as lists show it. */
export interface SpecSummary {
  id: string;
  specNumber: number | null;
  specName: string;
  slug: string;
  title: string;
  status: Status;
  priority: Priority | null;
  tags: string[];
  assignee: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  completedAt: string | null;
  filePath: string;
  dependsOn: string[];
  parent: string | null;
  archived: boolean;
  contentHash: string;
  diagnosticCount: number;
}

export interface SubSpec {
  name: string;
  file: string;
  contentHash: string;
  content: string;
  /** Present when get() was asked for `html`. */
  contentHtml?: string;
}

/** One spec in full. */
export interface Spec extends SpecSummary {
  path: string;
  created: string | null;
  completed: string | null;
  related: string[];
  /** `at` is null when the file's text is not a date (an invalid-date diagnostic says so). */
  transitions: { status: Status; at: string | null }[];
  frontmatter: { [key: string]: FrontmatterValue };
  customFields: { [key: string]: FrontmatterValue };
  contentMd: string;
  subSpecs: SubSpec[];
  diagnostics: Diagnostic[];
  /** The body rendered to HTML; present when get() was asked for `html`. */
  contentHtml?: string;
}

export interface SpecList {
  specs: SpecSummary[];
  total: number;
  nextCursor: string | null;
  /** A list over a project set ("a,b" or "*"): each spec's project id, parallel to specs. */
  projectIds?: string[];
}

export interface SearchHit extends SpecSummary {
  score: number;
  snippet: string;
  /** A search over a project set: the hit's project id. */
  projectId?: string;
}

export interface SearchResult {
  results: SearchHit[];
  total: number;
  /** Present when another page follows: pass it as SearchOptions.cursor. */
  nextCursor?: string;
}

export interface Stats {
  totalSpecs: number;
  specsByStatus: { status: Status; count: number }[];
  specsByPriority: { priority: Priority; count: number }[];
  specsWithoutPriority: number;
  specsByTag: { tag: string; count: number }[];
  specsByAssignee: { assignee: string; count: number }[];
  completionRate: number;
  /** Stats over a project set: each project's count per status. */
  byProject?: Record<string, { status: Status; count: number }[]>;
}

export interface Relationships {
  id: string;
  dependsOn: string[];
  requiredBy: string[];
  parent: string | null;
  children: string[];
  dependsOnTransitive: string[];
  requiredByTransitive: string[];
  ancestors: string[];
  cycles: string[][];
}

export interface Project {
  id: string;
  name: string;
  specsDir: string | null;
}

export interface ChangeEvent {
  projectId: string;
  version: number;
  added: string[];
  changed: string[];
  removed: string[];
}

export interface Filter {
  status?: Status | Status[];
  priority?: Priority | Priority[];
  tags?: string | string[];
  /** 'all' (default): every tag must be present; 'any': any one. */
  tagsMatch?: 'all' | 'any';
  /** @deprecated use tagsMatch (true: 'all', false: 'any'); removed in the next release. */
  tagsMatchAll?: boolean;
  assignee?: string;
  /** true: only archived; false: none archived; unset: all. */
  archived?: boolean;
}

export interface ListQuery extends Filter {
  /** One project, a project set ("a,b"), or every project ("*"). */
  projectId?: string;
  sort?: SortKey;
  descending?: boolean;
  /** 0 or unset: no limit. */
  limit?: number;
  /** The nextCursor of the previous page. */
  cursor?: string;
}

export interface SearchOptions extends Filter {
  /** One project, a project set ("a,b"), or every project ("*"). */
  projectId?: string;
  /** Default 50; 0: no limit. */
  limit?: number;
  /** The nextCursor of the previous page. */
  cursor?: string;
}

/** A change to a spec's frontmatter and body (spec_update.hpp); what is unset keeps its value. */
export interface SpecUpdate {
  /** A new status also appends a transition, and 'complete' sets completed_at. */
  status?: Status;
  priority?: Priority;
  tagsAdd?: string | string[];
  tagsRemove?: string | string[];
  dependsOnAdd?: string | string[];
  dependsOnRemove?: string | string[];
  /** '' removes the key. */
  parent?: string;
  /** '' removes the key. */
  assignee?: string;
  /** Any other top-level key: its text, or null to remove it. */
  fields?: { [key: string]: string | null };
  /** The Markdown after the frontmatter, whole. */
  body?: string;
}

/** A spec to create (spec_update.hpp NewSpec). */
export interface NewSpec {
  title: string;
  /** The folder's name after the number; default: from the title. */
  slug?: string;
  /** Default 'planned'. */
  status?: Status;
  priority?: Priority;
  tags?: string | string[];
  assignee?: string;
  /** The Markdown after the frontmatter; default "# <title>" (or the project's template). */
  body?: string;
}

/** How a write to a GitHub project lands: a commit on its branch, or a pull request. */
export type WriteMode = 'commit' | 'pull_request';

export interface WriteOptions extends ProjectOption {
  /** The contentHash of the version the write is based on (required). */
  baseHash: string;
}

export interface ProjectOption {
  projectId?: string;
}

export interface GetOptions extends ProjectOption {
  /** Also render the body and each sub-spec to HTML (contentHtml). */
  html?: boolean;
}

export interface SubscribeOptions {
  /** Keep the process alive while subscribed (default true, as fs.watch). */
  persistent?: boolean;
}

export interface FilesystemOptions {
  specsDir?: string;
  pattern?: 'flat' | 'date-grouped';
  projectId?: string;
  maxFileSize?: number;
  threads?: number;
  cacheDir?: string;
  watch?: boolean;
  debounceMs?: number;
  pollIntervalMs?: number;
  forcePolling?: boolean;
}

export interface CacheOptions {
  ttlMs?: number;
}

export interface CacheCounters {
  hits: number;
  misses: number;
  entries: number;
}

export interface DatabaseOptions {
  /** sqlite:/path/x.db, a plain path, postgres://... ; unset: a SQLite file in the user's data dir. */
  databaseUrl?: string;
  recheckMs?: number;
  projectId?: string;
  /** The budget of hot projects' parsed snapshots, in bytes; default 256 MiB, 0 keeps none. */
  cacheBytes?: number;
}

/**
 * A project to register (absent keys: "main", "specs", 300000 ms) or, for updateProject, a
 * patch: the keys given change, in one write, and absent (or undefined/null) keys keep their
 * value.
 */
export interface ProjectInput {
  /** "owner/repo" */
  id: string;
  branch?: string;
  specsPath?: string;
  /** Milliseconds between scheduled syncs (whole seconds are kept). */
  syncIntervalMs?: number;
  /** @deprecated use syncIntervalMs (removed in the next release); not with syncIntervalMs */
  syncIntervalSeconds?: number;
  /** Default 'commit'. */
  writeMode?: WriteMode;
}

export interface RegisteredProject {
  id: string;
  branch: string;
  specsPath: string;
  /** Milliseconds between scheduled syncs. */
  syncIntervalMs: number;
  /** @deprecated use syncIntervalMs (removed in the next release) */
  syncIntervalSeconds: number;
  /** idle, syncing, interrupted (its holder died; the scheduler takes it over), ok or error */
  syncState: string;
  syncError: string | null;
  /** SHA of the commit the stored snapshot comes from; null before the first sync. */
  commitSha: string | null;
  /** @deprecated use commitSha (removed in the next release) */
  lastCommit: string | null;
  /** unix ms; 0 before the first sync */
  lastSyncedAt: number;
  /** interrupted: when the sync's lease expired, unix ms; else 0 */
  syncInterruptedAt: number;
  snapshotVersion: number;
  specCount: number;
  /** How writes to it land. */
  writeMode: WriteMode;
}

export interface ImportResult {
  added: number;
  updated: number;
  removed: number;
  version: number;
}

/** The SpecSource calls resolving with the library's JSON text (see SpecSource.json). */
export interface JsonCalls {
  projects(): Promise<string>;
  list(query?: ListQuery): Promise<string>;
  get(ref: string, options?: ProjectOption): Promise<string | null>;
  search(query: string, options?: SearchOptions): Promise<string>;
  stats(options?: ProjectOption): Promise<string>;
  relationships(ref: string, options?: ProjectOption): Promise<string | null>;
  validate(options?: ProjectOption): Promise<string>;
  byStatus(options?: ProjectOption): Promise<string>;
}

/** What every source serves. Emits 'change' (ChangeEvent) while it has listeners. */
export declare class SpecSource extends EventEmitter {
  protected constructor();
  /**
   * The same calls as JSON text: the bytes every front-end prints, ready for an HTTP response.
   * (Parsed objects list number-like keys, e.g. a frontmatter "2024", first, as JS does.)
   */
  readonly json: JsonCalls;
  projects(): Promise<Project[]>;
  list(query?: ListQuery): Promise<SpecList>;
  /** The spec a ref (id, number or slug) names, or null. Rejects 'ambiguous' for a shared number. */
  get(ref: string, options?: GetOptions): Promise<Spec | null>;
  /**
   * LeanSpec's query language: words, "phrases", AND/OR/NOT, status:, tag:, ... Rejects
   * 'invalid_argument' for a syntax error and past the core's limits: 4096 bytes, 64 terms,
   * 8 fuzzy terms.
   */
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
  stats(options?: ProjectOption): Promise<Stats>;
  relationships(ref: string, options?: ProjectOption): Promise<Relationships | null>;
  validate(options?: ProjectOption): Promise<Diagnostic[]>;
  byStatus(options?: ProjectOption): Promise<Record<Status, SpecSummary[]>>;
  /** Returns the function that unsubscribes. */
  subscribe(listener: (event: ChangeEvent) => void, options?: SubscribeOptions): () => void;
  close(): Promise<void>;
  on(event: 'change', listener: (event: ChangeEvent) => void): this;
  once(event: 'change', listener: (event: ChangeEvent) => void): this;
  off(event: 'change', listener: (event: ChangeEvent) => void): this;
  removeAllListeners(event?: string | symbol): this;
}

export declare class FilesystemSource extends SpecSource {
  static open(options?: FilesystemOptions): Promise<FilesystemSource>;
  reload(): Promise<void>;
  readonly version: number;
  readonly options: Required<FilesystemOptions>;
}

export declare class CachingSource extends SpecSource {
  constructor(inner: SpecSource, options?: CacheOptions);
  readonly inner: SpecSource;
  /** Drops every cached result, or those that may mention the spec `ref` (id, number or slug) names. */
  invalidate(ref?: string, options?: ProjectOption): void;
  counters(): CacheCounters;
}

export declare class DatabaseSource extends SpecSource {
  static open(options?: DatabaseOptions): Promise<DatabaseSource>;
  addProject(project: ProjectInput): Promise<void>;
  /** Changes only the keys `patch` gives; rejects 'not_found' for an unknown id. */
  updateProject(patch: ProjectInput): Promise<void>;
  removeProject(id: string): Promise<boolean>;
  registeredProjects(): Promise<RegisteredProject[]>;
  importDirectory(projectId: string, specsDir: string): Promise<ImportResult>;
  readonly description: string;
}

export type SpecsMode = 'filesystem' | 'database' | 'both';

export interface ServiceConfig {
  mode?: SpecsMode;
  /** Unset: specsDir of ./.lean-spec/config.json, else ./specs. */
  specsDir?: string;
  databaseUrl?: string;
  githubToken?: string;
  githubApiUrl?: string;
  /** A GitHub App instead of githubToken: its id, its private key (PEM text, or a file). */
  githubAppId?: number;
  githubAppPrivateKey?: string;
  githubAppPrivateKeyFile?: string;
  /** The app's installation; unset: looked up per repository. */
  githubAppInstallationId?: number;
  cacheTtlMs?: number;
  /** The database source's budget of hot projects' parsed snapshots, in bytes (SPECS_CACHE_BYTES). */
  cacheBytes?: number;
  /** The current secret first, then the previous one while rotating. At most two. */
  webhookSecrets?: string[];
  revalidationSecret?: string;
  probeIntervalMs?: number;
  /** The most one sync may take, every request counted; default 300000. */
  syncDeadlineMs?: number;
}

export interface SourceHealth {
  source: 'filesystem' | 'database';
  state: 'ok' | 'stale' | 'down';
  description: string;
  error: string | null;
  /** unix ms */
  since: number;
}

export interface ServiceHealth {
  mode: SpecsMode;
  stale: boolean;
  sources: SourceHealth[];
}

export interface ServedProject extends Project {
  source: 'filesystem' | 'database';
  stale: boolean;
  registration: Omit<RegisteredProject, 'id'> | null;
}

export interface CacheStats extends CacheCounters {
  hitRate: number;
  sources: (CacheCounters & { source: 'filesystem' | 'database'; hitRate: number })[];
}

/** The configured sources, cached and routed by project id; degrades to the last good data. */
export declare class SpecsService extends SpecSource {
  /** From `config`, or from the environment (SPECS_MODE, SPECS_DIR, DATABASE_URL, ...). */
  static open(config?: ServiceConfig): Promise<SpecsService>;
  /** Every problem of `config`, one sentence each naming the variable; [] when usable. */
  static problems(config?: ServiceConfig): Promise<string[]>;
  readonly mode: SpecsMode;
  readonly filesystemProjectId: string;
  servedProjects(): Promise<ServedProject[]>;
  health(): Promise<ServiceHealth>;
  isStale(options?: ProjectOption): Promise<boolean>;
  /** Drops every cached result, or those that may mention the spec `ref` (id, number or slug) names. */
  invalidate(ref?: string, options?: ProjectOption): void;
  /** True, having invalidated `ref` (or everything), only for the configured secret. */
  revalidate(secret: string, options?: { ref?: string; projectId?: string }): boolean;
  cacheStats(): CacheStats;
  /**
   * Writes `update` into the README of the spec `ref` names if its content hash is still
   * `options.baseHash`, changing only the lines it touches; resolves with the spec as written
   * (the service's next call sees it). A GitHub project's spec is committed to its repository
   * (or a pull request opened, in write mode pull_request: the spec proposed). Rejects
   * 'conflict' (the file or the branch moved on; nothing written), 'not_found' (no such spec),
   * 'invalid_argument'; for a GitHub project also 'unauthorized' (the token may not write:
   * contents: write), 'rate_limited', 'network'.
   */
  update(ref: string, update: SpecUpdate, options: WriteOptions): Promise<Spec>;
  /**
   * Creates a spec, numbered after the others: in the specs directory (its template, when
   * .lean-spec names one), or committed to the GitHub project `options.projectId` names.
   */
  create(spec: NewSpec, options?: ProjectOption): Promise<Spec>;
  /** Checks or unchecks the `index`-th task-list item (from 1) of the spec, as update() writes. */
  toggleChecklistItem(ref: string, index: number, options: WriteOptions): Promise<Spec>;
  addProject(project: ProjectInput): Promise<void>;
  /** Changes only the keys `patch` gives; rejects 'not_found' for an unknown id. */
  updateProject(patch: ProjectInput): Promise<void>;
  removeProject(id: string): Promise<boolean>;
  registeredProjects(): Promise<RegisteredProject[]>;
  importDirectory(projectId: string, specsDir: string): Promise<ImportResult>;
  /**
   * Starts the GitHub sync scheduler (database and both modes; while the database is down, once
   * it is back). Any number of instances may run one: the store's lease lets one sync a project
   * at a time. Rejects 'not_found' without database mode.
   */
  startSync(): Promise<void>;
  /** Stops the scheduler; resolves when its threads have ended. */
  stopSync(): Promise<void>;
  /** Syncs one project now, off the event loop. Rejects 'not_found' (unknown project, no database mode), 'database'. */
  syncNow(projectId: string): Promise<SyncRun>;
  /** Queues a sync of the project, durably. Rejects 'not_found', 'database'. */
  requestSync(projectId: string): Promise<void>;
  /** The project's stored sync runs, newest first, whichever instance ran them. */
  syncRuns(projectId: string, options?: SyncRunsOptions): Promise<SyncRun[]>;
  /**
   * One GitHub webhook delivery (signature checked against webhookSecrets): answer with the
   * result's status (404 without database mode, 503 while the database is unreachable).
   * Rejects only for arguments of the wrong type.
   */
  handleWebhook(headers: Record<string, string> | Headers, body: Buffer | Uint8Array | string): Promise<WebhookResult>;
}

export interface SyncRunsOptions {
  /** How many of the newest runs; default 20, 0: all. */
  limit?: number;
}

export interface SyncOptions {
  /** The REST API root; unset: $GITHUB_API_URL, else https://api.github.com. */
  apiUrl?: string;
  /** Unset: $GITHUB_TOKEN, else anonymous. Never logged or returned. */
  token?: string;
  /** At most two (rotation); none: every webhook delivery is rejected. */
  webhookSecrets?: string[];
  concurrency?: number;
  workers?: number;
  /** The most one sync may take, every request counted; default 300000. */
  deadlineMs?: number;
}

export interface SyncRun {
  /** The store's sync run id; 0: the sync did not start (see error). */
  id: number;
  projectId: string;
  /** 'running' only in syncRuns(): a run under way, or one whose process died. */
  outcome: 'ok' | 'not_modified' | 'error' | 'rate_limited' | 'running';
  /** unix ms */
  startedAt: number;
  /** unix ms; 0 while running */
  endedAt: number;
  added: number;
  updated: number;
  removed: number;
  requests: number;
  /** Of the requests, those answered 304. */
  notModified: number;
  bytes: number;
  durationMs: number;
  /** -1: unknown */
  rateLimitRemaining: number;
  /** 'unchanged', 'blobs', 'tarball', 'contents', or '' when it failed before. */
  path: string;
  /** SHA of the commit synced; null when the run failed before reading it. */
  commitSha: string | null;
  /** @deprecated use commitSha (removed in the next release) */
  commit: string | null;
  /** rate_limited: unix ms when it may run again. */
  retryAt: number;
  error: string | null;
}

export interface WebhookResult {
  /** The HTTP status to answer GitHub with. */
  status: number;
  action: 'rejected' | 'ping' | 'ignored' | 'queued';
  message: string;
  projectId: string | null;
}

/** Fills a DatabaseSource's store from GitHub (REST API), on demand, on webhooks, on a schedule. */
export declare class GithubSync {
  static open(database: DatabaseSource, options?: SyncOptions): Promise<GithubSync>;
  syncNow(projectId: string): Promise<SyncRun>;
  requestSync(projectId: string): Promise<void>;
  /** The project's stored sync runs, newest first, whichever process ran them. */
  syncRuns(projectId: string, options?: SyncRunsOptions): Promise<SyncRun[]>;
  handleWebhook(headers: Record<string, string> | Headers, body: Buffer | Uint8Array | string): Promise<WebhookResult>;
  start(): void;
  stop(): Promise<void>;
  readonly running: boolean;
}

export declare function renderHtml(markdown: string, options?: { allowRawHtml?: boolean }): Promise<string>;
export declare function discoverOptions(projectDir: string): Promise<Required<FilesystemOptions>>;
export declare function defaultCacheDir(): string;
export declare function cacheOptionsFromEnv(): Required<CacheOptions>;
export declare const version: string;
export declare const statuses: readonly Status[];
export declare const priorities: readonly Priority[];
export declare const errorCodes: readonly ErrorCode[];
