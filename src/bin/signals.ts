/**
 * Waits for SIGINT or SIGTERM, runs `shutdown` once, and exits 0 (1 if shutdown failed).
 * A second Ctrl-C (SIGINT) while shutting down exits at once; repeated SIGTERMs are ignored,
 * because process managers often deliver one to the whole process group and another
 * directly (shutdown is bounded by its own grace periods).
 */
export async function runUntilSignal(shutdown: () => Promise<void>): Promise<never> {
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        if (signal === 'SIGINT') process.exit(130);
        return;
      }
      stopping = true;
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  try {
    await shutdown();
    process.exit(0);
  } catch (e) {
    process.stderr.write(`shutdown failed: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
