/**
 * What the benchmark asks of each engine (ours over the MySQL protocol, SQLite, DuckDB):
 * load the generated tables, run a query, and run the point-select / update workload.
 */
import type { LineitemColumns } from '../copr/lineitem.ts';
import type { Measurement } from '../lib/mod.ts';
import type { LoadResult } from './load_tables.ts';
import type { Cell } from './queries.ts';
import type { TpchGenerator } from './tpch_generator.ts';

/** Picks the order key for call `i` of a workload. */
export type KeyPicker = (i: number) => number;

/** A point workload's result; `errors` counts failed operations (e.g. write conflicts). */
export interface OltpMeasurement extends Measurement {
  clients: number;
  errors: number;
}

export interface TpchEngine {
  /** Row-name prefix, e.g. `ours`, `SQLite`, `DuckDB`. */
  readonly name: string;
  /** Creates the tables and loads them; fills `columns` when given. */
  load(gen: TpchGenerator, columns?: LineitemColumns): Promise<LoadResult>;
  /** Runs one query; rows as arrays of normalized cells. */
  query(sql: string): Promise<Cell[][]>;
  /** `SELECT … FROM orders WHERE o_orderkey = ?` (prepared) for `durationMs`. */
  pointSelect(key: KeyPicker, durationMs: number): Promise<OltpMeasurement>;
  /** `UPDATE orders SET o_comment = ? WHERE o_orderkey = ?` (prepared, autocommit) for `durationMs`. */
  update(key: KeyPicker, durationMs: number): Promise<OltpMeasurement>;
  close(): Promise<void>;
}

export const POINT_SELECT_SQL = 'SELECT o_orderkey, o_custkey, o_orderstatus, o_totalprice, o_orderdate, o_comment FROM orders WHERE o_orderkey = ?';
export const UPDATE_SQL = 'UPDATE orders SET o_comment = ? WHERE o_orderkey = ?';

/** The comment an update writes at call `i` (always changes the row). */
export function updatedComment(i: number): string {
  return `updated by the tpch bench, call ${i}`;
}
