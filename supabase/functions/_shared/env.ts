/** Fails the isolate at start-up, naming the variable (never its value), instead of failing every request later. */
export function requiredEnv(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`environment variable ${name} is not set (supabase secrets set ${name}=…)`);
  return value;
}

/** Supabase's Edge Runtime global: keeps the isolate alive for background work after the response is sent. */
export function edgeRuntimeWaitUntil(): ((promise: Promise<unknown>) => void) | undefined {
  const runtime = (globalThis as { EdgeRuntime?: { waitUntil?: (promise: Promise<unknown>) => void } })
    .EdgeRuntime;
  return runtime?.waitUntil ? (promise) => runtime.waitUntil?.(promise) : undefined;
}

/** A positive number from the environment, or the fallback when unset or unusable. */
export function positiveNumberEnv(name: string, fallback: number): number {
  const value = Number(Deno.env.get(name));
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
