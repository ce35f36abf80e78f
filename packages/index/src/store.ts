import { resolve } from 'node:path';
import type * as lancedb from '@lancedb/lancedb';
import { IndexError, ModelMismatchError, type ModelIdentity } from './errors.js';
import { sameModel } from './identity.js';
import { rowSchema, sqlString, tablesSchema, type IndexRow } from './schema.js';

/** The table that records each library table's model and roots. */
export const TABLES_TABLE = 'clapjs_tables';
/** The library table's name when none is given. */
export const DEFAULT_TABLE = 'library';

/** What {@link LibraryIndex.open} takes. */
export interface OpenOptions {
  /** The library table (default `library`); one table holds the vectors of one model. */
  readonly table?: string;
  /** LanceDB storage options (e.g. S3 credentials and endpoint for `s3://` URIs). */
  readonly storageOptions?: Record<string, string>;
}

/** What a library table records about itself. */
export interface TableInfo {
  readonly model: ModelIdentity;
  /** Vector size. */
  readonly dim: number;
  /** Root name → the directory it was indexed from (where `serve` finds files). */
  readonly roots: Record<string, string>;
}

/**
 * A library table in a LanceDB database (a local directory or any URI LanceDB supports). Reads
 * always see the latest committed rows, so a server picks up rows that a build adds while it runs.
 */
export class LibraryIndex {
  private constructor(
    readonly uri: string,
    readonly name: string,
    private readonly db: lancedb.Connection,
  ) {}

  /** Connects to `uri`; the table itself is created by the first {@link ensureTable}. */
  static async open(uri: string, options: OpenOptions = {}): Promise<LibraryIndex> {
    const name = options.table ?? DEFAULT_TABLE;
    if (!/^[A-Za-z0-9_-]+$/.test(name) || name === TABLES_TABLE)
      throw new IndexError(
        'INDEX_TABLE_NAME',
        `Table name "${name}" is not allowed: use letters, digits, "_" and "-" (and not "${TABLES_TABLE}").`,
      );
    // A plain path is a local directory (made absolute: LanceDB reads some bare names as URIs).
    const location = /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? uri : resolve(uri);
    let db: lancedb.Connection;
    try {
      // LanceDB's native binding loads on the first open, not when @clapjs/index is imported.
      const { connect } = await import('@lancedb/lancedb');
      db = await connect(location, {
        readConsistencyInterval: 0,
        ...(options.storageOptions === undefined ? {} : { storageOptions: options.storageOptions }),
      });
    } catch (error) {
      throw new IndexError(
        'INDEX_DB_UNREACHABLE',
        `Could not open the LanceDB database ${location}: ${(error as Error).message}. Give a directory or a URI LanceDB supports (s3://…, gs://…, az://…).`,
        { cause: error },
      );
    }
    return new LibraryIndex(location, name, db);
  }

  /** The table's model, vector size and roots; undefined when the table does not exist yet. */
  async info(): Promise<TableInfo | undefined> {
    if (!(await this.db.tableNames()).includes(TABLES_TABLE)) return undefined;
    const meta = await this.db.openTable(TABLES_TABLE);
    const [row] = (await meta
      .query()
      .where(`\`table\` = ${sqlString(this.name)}`)
      .limit(1)
      .toArray()) as {
      config_hash: string;
      weights_hash: string;
      model_source: string;
      dim: number;
      roots: string;
    }[];
    if (row === undefined) return undefined;
    return {
      model: {
        configHash: row.config_hash,
        weightsHash: row.weights_hash,
        ...(row.model_source === '' ? {} : { source: row.model_source }),
      },
      dim: row.dim,
      roots: JSON.parse(row.roots) as Record<string, string>,
    };
  }

  /** The table info, or a typed error saying how to build the table. */
  async requireInfo(): Promise<TableInfo> {
    const info = await this.info();
    if (info === undefined)
      throw new IndexError(
        'INDEX_TABLE_MISSING',
        `No table "${this.name}" in ${this.uri}. Build it first: clapjs index build ROOT --db ${this.uri}.`,
      );
    return info;
  }

  /**
   * Throws {@link ModelMismatchError} when the table exists and was built with another model.
   * @returns the table info, or undefined when the table does not exist yet
   */
  async checkModel(model: ModelIdentity): Promise<TableInfo | undefined> {
    const info = await this.info();
    if (info !== undefined && !sameModel(info.model, model))
      throw new ModelMismatchError(this.name, info.model, model);
    return info;
  }

  /**
   * Creates the table for `model` (or checks that it was built with it) and records `roots`.
   * @throws ModelMismatchError when the table holds another model's vectors
   */
  async ensureTable(
    model: ModelIdentity,
    dim: number,
    roots: Record<string, string>,
  ): Promise<void> {
    const info = await this.checkModel(model);
    const names = await this.db.tableNames();
    if (!names.includes(this.name))
      await this.db.createEmptyTable(this.name, await rowSchema(dim), { existOk: true });
    const merged = { ...(info?.roots ?? {}), ...roots };
    if (info !== undefined && JSON.stringify(merged) === JSON.stringify(info.roots)) return;
    const meta = names.includes(TABLES_TABLE)
      ? await this.db.openTable(TABLES_TABLE)
      : await this.db.createEmptyTable(TABLES_TABLE, await tablesSchema(), { existOk: true });
    await meta
      .mergeInsert('table')
      .whenMatchedUpdateAll()
      .whenNotMatchedInsertAll()
      .execute([
        {
          table: this.name,
          config_hash: model.configHash,
          weights_hash: model.weightsHash,
          model_source: info?.model.source ?? model.source ?? '',
          dim,
          roots: JSON.stringify(merged),
        },
      ]);
  }

  /** The LanceDB table (for queries this class does not wrap). */
  async table(): Promise<lancedb.Table> {
    await this.requireInfo();
    return this.db.openTable(this.name);
  }

  /** Rows in the table (windows, not files), optionally those matching a filter. */
  async countRows(filter?: string): Promise<number> {
    return (await this.table()).countRows(filter);
  }

  /** Which of `ids` already have rows. */
  async existingIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = (await (
      await this.table()
    )
      .query()
      .where(`id IN (${ids.map(sqlString).join(', ')})`)
      .select(['id'])
      .toArray()) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Deletes rows of these files (root + path) whose id is not the current one: the rows of an
   * older version of a file that has changed since.
   */
  async deleteStale(root: string, current: readonly { path: string; id: string }[]): Promise<void> {
    if (current.length === 0) return;
    const table = await this.table();
    await table.delete(
      `root = ${sqlString(root)} AND path IN (${current.map((c) => sqlString(c.path)).join(', ')}) ` +
        `AND id NOT IN (${current.map((c) => sqlString(c.id)).join(', ')})`,
    );
  }

  /**
   * Writes rows with LanceDB's merge-insert keyed on (id, window_start): rows already there are
   * left alone, so writing the same rows twice (a re-run, a retried job) adds nothing.
   * @returns how many rows were added
   */
  async upsert(rows: readonly IndexRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const table = await this.table();
    const result = await table
      .mergeInsert(['id', 'window_start'])
      .whenNotMatchedInsertAll()
      .execute([...rows]);
    return result.numInsertedRows;
  }

  /** Deletes every row matching a filter; returns how many went. */
  async deleteWhere(filter: string): Promise<number> {
    const table = await this.table();
    const before = await table.countRows();
    await table.delete(filter);
    return before - (await table.countRows());
  }
}
