import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../util/logger.ts';
import { DomainError } from '../util/errors.ts';
import { pdpb, type DeepPartial, type ServiceHandlers, type metapb } from '../proto/mod.ts';
import { toServiceError } from '../proto/mod.ts';
import { ClusterState, PdError } from './cluster_state.ts';
import type { Tso } from './tso.ts';
import type { IdAllocator } from './id_allocator.ts';

/**
 * `pdpb.PD` handlers. Handlers decode, call `ClusterState` / `Tso` / `IdAllocator`, and encode;
 * PD-level failures travel in `header.error` as PD does (typed `pdpb.ErrorType`), transport
 * failures as gRPC status codes. This is the one place PD errors are mapped.
 */
export interface PdServiceDeps {
  cluster: ClusterState;
  tso: Tso;
  ids: IdAllocator;
  /** This PD's member identity, advertised by GetMembers. */
  member: { name: string; memberId: bigint; clientUrls: string[]; peerUrls: string[] };
  log: Logger;
}

const PD_ERROR_TYPE: Record<PdError['pdType'], pdpb.ErrorType> = {
  NOT_BOOTSTRAPPED: pdpb.ErrorType.NOT_BOOTSTRAPPED,
  ALREADY_BOOTSTRAPPED: pdpb.ErrorType.ALREADY_BOOTSTRAPPED,
  STORE_TOMBSTONE: pdpb.ErrorType.STORE_TOMBSTONE,
  REGION_NOT_FOUND: pdpb.ErrorType.REGION_NOT_FOUND,
  INVALID_VALUE: pdpb.ErrorType.INVALID_VALUE,
  UNKNOWN: pdpb.ErrorType.UNKNOWN,
};

type Header = DeepPartial<pdpb.ResponseHeader>;

export function createPdService(deps: PdServiceDeps): Partial<ServiceHandlers<'pdpb.PD'>> {
  const { cluster, tso, ids, member, log } = deps;
  const header = (): Header => ({ clusterId: cluster.clusterId });
  const errorHeader = (type: pdpb.ErrorType, message: string): Header => ({
    clusterId: cluster.clusterId,
    error: { type, message },
  });

  /** Rejects requests addressed to another cluster, as PD does. */
  const checkCluster = (h: { clusterId: bigint } | null | undefined): Header | undefined => {
    const id = h?.clusterId ?? 0n;
    if (id !== 0n && id !== cluster.clusterId) {
      return errorHeader(pdpb.ErrorType.INVALID_VALUE, `mismatch cluster id, need ${cluster.clusterId} but got ${id}`);
    }
    return undefined;
  };

  /** Runs a unary handler: PdErrors become header errors; other DomainErrors gRPC statuses. */
  function unary<Req extends { header?: { clusterId: bigint } | null }, Res extends { header?: Header | null }>(
    name: string,
    body: (req: Req) => Promise<DeepPartial<Res>> | DeepPartial<Res>,
  ): grpc.handleUnaryCall<Req, DeepPartial<Res>> {
    return (call, callback) => {
      const bad = checkCluster(call.request.header);
      if (bad) {
        callback(null, { header: bad } as DeepPartial<Res>);
        return;
      }
      Promise.resolve()
        .then(() => body(call.request))
        .then(
          (res) => callback(null, res),
          (e: unknown) => {
            if (e instanceof PdError) {
              callback(null, { header: errorHeader(PD_ERROR_TYPE[e.pdType], e.message) } as DeepPartial<Res>);
            } else {
              if (!(e instanceof DomainError)) log.error({ err: e, rpc: name }, 'pd handler failed');
              callback(toServiceError(e));
            }
          },
        );
    };
  }

  const regionResponse = (info: ReturnType<ClusterState['getRegionByKey']>): DeepPartial<pdpb.GetRegionResponse> =>
    info ? { header: header(), region: info.meta, leader: info.leader } : { header: header() };

  const memberMessage: DeepPartial<pdpb.Member> = {
    name: member.name,
    memberId: member.memberId,
    clientUrls: member.clientUrls,
    peerUrls: member.peerUrls,
  };

  return {
    GetMembers: unary('GetMembers', () => ({
      header: header(),
      members: [memberMessage],
      leader: memberMessage,
      etcdLeader: memberMessage,
    })),

    GetClusterInfo: unary('GetClusterInfo', (_req: pdpb.GetClusterInfoRequest) => ({ header: header(), serviceModes: [pdpb.ServiceMode.PD_SVC_MODE] })),

    Tso: (call) => {
      // One response per request, in request order, even though allocation is async.
      let chain: Promise<void> = Promise.resolve();
      call.on('data', (req: pdpb.TsoRequest) => {
        chain = chain.then(async () => {
          const bad = checkCluster(req.header);
          if (bad) {
            call.write({ header: bad, count: 0 });
            return;
          }
          try {
            const r = await tso.allocate(req.count);
            call.write({ header: header(), count: req.count, timestamp: { physical: r.physical, logical: r.logical, suffixBits: 0 } });
          } catch (e) {
            call.destroy(toServiceError(e));
          }
        });
      });
      call.on('end', () => {
        void chain.then(() => call.end());
      });
      call.on('error', () => undefined);
    },

    Bootstrap: unary('Bootstrap', async (req: pdpb.BootstrapRequest) => {
      if (!req.store || !req.region) throw new PdError('INVALID_VALUE', 'bootstrap needs a store and a region');
      await cluster.bootstrap(req.store, req.region);
      log.info({ storeId: req.store.id, regionId: req.region.id }, 'cluster bootstrapped');
      return { header: header() };
    }),

    IsBootstrapped: unary('IsBootstrapped', () => ({ header: header(), bootstrapped: cluster.isBootstrapped() })),

    AllocID: unary('AllocID', async () => ({ header: header(), id: await ids.alloc() })),

    GetStore: unary('GetStore', (req: pdpb.GetStoreRequest) => {
      const s = cluster.getStore(req.storeId);
      if (!s) throw new PdError('UNKNOWN', `invalid store ID ${req.storeId}, not found`);
      return { header: header(), store: s.meta, stats: s.stats };
    }),

    PutStore: unary('PutStore', async (req: pdpb.PutStoreRequest) => {
      if (!req.store) throw new PdError('INVALID_VALUE', 'put store: missing store');
      await cluster.putStore(req.store);
      return { header: header() };
    }),

    GetAllStores: unary('GetAllStores', (req: pdpb.GetAllStoresRequest) => ({
      header: header(),
      stores: cluster.allStores(req.excludeTombstoneStores).map((s) => s.meta),
    })),

    StoreHeartbeat: unary('StoreHeartbeat', (req: pdpb.StoreHeartbeatRequest) => {
      if (!req.stats) throw new PdError('INVALID_VALUE', 'store heartbeat: missing stats');
      cluster.storeHeartbeat(req.stats);
      return { header: header() };
    }),

    RegionHeartbeat: (call) => {
      let chain: Promise<void> = Promise.resolve();
      call.on('data', (req: pdpb.RegionHeartbeatRequest) => {
        chain = chain.then(async () => {
          if (!req.region) return;
          try {
            await cluster.regionHeartbeat(req.region, req.leader ?? null, req.approximateSize, req.approximateKeys);
          } catch (e) {
            if (e instanceof PdError) {
              call.write({ header: errorHeader(PD_ERROR_TYPE[e.pdType], e.message), regionId: req.region.id });
            } else {
              log.error({ err: e }, 'region heartbeat failed');
            }
          }
        });
      });
      call.on('end', () => {
        void chain.then(() => call.end());
      });
      call.on('error', () => undefined);
    },

    GetRegion: unary('GetRegion', (req: pdpb.GetRegionRequest) => regionResponse(cluster.getRegionByKey(req.regionKey))),

    GetPrevRegion: unary('GetPrevRegion', (req: pdpb.GetRegionRequest) => regionResponse(cluster.getPrevRegion(req.regionKey))),

    GetRegionByID: unary('GetRegionByID', (req: pdpb.GetRegionByIDRequest) => regionResponse(cluster.getRegionById(req.regionId))),

    ScanRegions: unary('ScanRegions', (req: pdpb.ScanRegionsRequest) => {
      const regions = cluster.scanRegions(req.startKey, req.endKey, Math.max(0, req.limit));
      return {
        header: header(),
        regionMetas: regions.map((r) => r.meta),
        leaders: regions.map((r) => r.leader ?? {}),
        regions: regions.map((r) => ({ region: r.meta, leader: r.leader })),
      };
    }),

    AskBatchSplit: unary('AskBatchSplit', async (req: pdpb.AskBatchSplitRequest) => {
      if (!req.region) throw new PdError('INVALID_VALUE', 'ask batch split: missing region');
      return { header: header(), ids: await cluster.askBatchSplit(req.region, req.splitCount) };
    }),

    ReportBatchSplit: unary('ReportBatchSplit', async (req: pdpb.ReportBatchSplitRequest) => {
      await cluster.reportBatchSplit(req.regions);
      return { header: header() };
    }),

    GetGCSafePoint: unary('GetGCSafePoint', () => ({ header: header(), safePoint: cluster.getGcSafePoint() })),

    UpdateGCSafePoint: unary('UpdateGCSafePoint', async (req: pdpb.UpdateGCSafePointRequest) => ({
      header: header(),
      newSafePoint: await cluster.updateGcSafePoint(req.safePoint),
    })),

    UpdateServiceGCSafePoint: unary('UpdateServiceGCSafePoint', async (req: pdpb.UpdateServiceGCSafePointRequest) => {
      const serviceId = Buffer.from(req.serviceId).toString('utf8');
      const min = await cluster.updateServiceSafePoint(serviceId, req.TTL, req.safePoint);
      return {
        header: header(),
        serviceId: Buffer.from(min.serviceId, 'utf8'),
        TTL: Number.isFinite(min.expireAtMs) ? req.TTL : BigInt(Number.MAX_SAFE_INTEGER),
        minSafePoint: min.safePoint,
      };
    }),
  };
}

export type { metapb };
