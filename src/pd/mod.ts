export { PdServer, parseUrl, type PdServerConfig } from './pd_server.ts';
export { ClusterState, PdError } from './cluster_state.ts';
export { Tso, composeTs } from './tso.ts';
