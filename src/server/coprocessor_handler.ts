import type { coprocessor, DeepPartial } from '../proto/mod.ts';

/**
 * The seam for the coprocessor: the Tikv service hands it every `Coprocessor` request (unary
 * or inside BatchCommands). The implementation does its own region checks through Storage /
 * RegionKv and returns a complete response (region error, locked, other_error or data).
 */
export interface CoprocessorHandler {
  handle(req: coprocessor.Request): Promise<DeepPartial<coprocessor.Response>>;
}

/** Placeholder until `coprocessor/` lands: every request gets a clear `other_error`. */
export class NotImplementedCoprocessor implements CoprocessorHandler {
  async handle(_req: coprocessor.Request): Promise<DeepPartial<coprocessor.Response>> {
    return { otherError: 'coprocessor is not implemented yet on this store' };
  }
}
