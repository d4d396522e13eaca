export type { RegionContext, Modify, RegionError, RegionResult, RegionKv } from './region_kv.ts';
