/**
 * Waits for SIGINT or SIGTERM, runs `shutdown` once, and exits 0 (1 if shutdown failed).
 * A second signal while shutting down exits immediately.
 */
export async function runUntilSignal(shutdown: () => Promise<void>): Promise<never> {
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (): void => {
      if (stopping) process.exit(130);
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
