export { PdClient, PdClientError, PD_RETRY_TIMEOUT_MS_DEFAULT, type PdClientOptions, type RegionWithLeader, type RegionStats } from './pd_client.ts';
