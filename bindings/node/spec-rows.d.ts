/**
 * @libleanspec/node/spec-rows: the interface of web apps built on LeanSpec's seed design
 * (`getAllSpecs`, `getSpec`, `getSpecsByStatus`, `searchSpecs`, `invalidateCache`, resolving
 * with rows of their `specs` table) over any SpecSource of this package. Swapping it in is one
 * import:
 *
 *   import { SpecRowSource } from '@libleanspec/node/spec-rows';
 *   const source = await SpecRowSource.open();   // SpecsService.open(): SPECS_MODE, SPECS_DIR, ...
 *
 * Rows come from the live snapshot: a watched directory's edits show in the next call, with no
 * time to live; `invalidateCache` is kept for the apps that call it.
 *
 * Where the library and such an app see a spec differently, the rows choose:
 * - **Archived specs**: `getAllSpecs` leaves out every archived spec, whether in `archived/` or
 *   with `status: archived` (the seed left the `archived/` folder out);
 *   `getSpecsByStatus('archived')` gives them.
 * - **Naming a spec**: `getSpec` takes a folder name (`012-cache`), a number (`12`, `012`), a
 *   slug (`cache`), or a path ending in the folder or its `README.md`. A number two folders
 *   share names neither: null (name the folder instead). A folder name whose number exists
 *   with another slug (`012-wrong`) names nothing: null, never a guess.
 * - **specName** is the folder name after its number (`cache` for `012-cache`), as the seed
 *   computed it; `id` is the whole folder name, unique in its project.
 * - **tags** is the JSON text of the tag list, as the seed stored it, and null when the spec
 *   has no tags: `tags: []` and no `tags` are the same.
 * - **priority** is null when the spec names none (no default is made up).
 * - **Dates** are `Date`s from the frontmatter: `createdAt` from `created_at`, else `created`;
 *   `updatedAt` from `updated_at`, else `updated`; `completedAt` from `completed_at`, else
 *   `completed`. A value that is not a date is null (the library's diagnostics name it).
 * - **filePath** is the README's path in the repository for a GitHub project (its specs path
 *   first), and in the directory the source reads for a specs directory; **githubUrl** is
 *   null for a directory.
 * - **syncedAt** is when the GitHub project was last synced (null before its first sync); for
 *   a watched directory, the time of the call, which is as fresh as it is.
 */
import type { ServiceConfig, SpecSource, Status, Priority } from './index';

/** One row of the seed design's `specs` table. */
export interface SpecRow {
  /** The spec's folder name, e.g. "012-cache". */
  id: string;
  projectId: string;
  specNumber: number | null;
  /** The folder name after its number, e.g. "cache". */
  specName: string;
  title: string;
  status: Status;
  priority: Priority | null;
  /** JSON text of the tags, e.g. '["api","core"]'; null when there are none. */
  tags: string | null;
  assignee: string | null;
  /** The README's body, frontmatter removed. */
  contentMd: string;
  createdAt: Date | null;
  updatedAt: Date | null;
  completedAt: Date | null;
  filePath: string;
  githubUrl: string | null;
  syncedAt: Date | null;
}

/** The seed design's interface, as such an app declares it. */
export interface SpecRowReader {
  getAllSpecs(): Promise<SpecRow[]>;
  getSpec(specPath: string): Promise<SpecRow | null>;
  getSpecsByStatus(status: Status): Promise<SpecRow[]>;
  searchSpecs(query: string): Promise<SpecRow[]>;
  invalidateCache(specPath?: string): void;
}

export interface SpecRowOptions {
  /** The project whose specs are the rows; default: the source's first project. */
  projectId?: string;
}

export declare class SpecRowSource implements SpecRowReader {
  constructor(source: SpecSource, options?: SpecRowOptions);
  /** Over `SpecsService.open(config)` (from the environment when omitted). */
  static open(config?: ServiceConfig, options?: SpecRowOptions): Promise<SpecRowSource>;
  /** The SpecSource the rows come from (close it when done). */
  readonly source: SpecSource;
  /** Every spec that is not archived, in number order. */
  getAllSpecs(): Promise<SpecRow[]>;
  /** The spec a folder name, number, slug or path names; null when none or two share it. */
  getSpec(specPath: string): Promise<SpecRow | null>;
  /** The specs of one status, in number order. */
  getSpecsByStatus(status: Status): Promise<SpecRow[]>;
  /** The specs matching a query in LeanSpec's query language, best first (every match). */
  searchSpecs(query: string): Promise<SpecRow[]>;
  /** Drops cached results: all, or those that may mention the spec `specPath` names. */
  invalidateCache(specPath?: string): void;
}
