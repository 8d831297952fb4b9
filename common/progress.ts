import cliProgress from 'cli-progress';

/**
 * Progress for long runs: a bar on a terminal, nothing in CI or when stderr is not a TTY
 * (CONTRACTS §3). Callers report absolute progress; the bar decides how often to draw.
 */
export interface Progress {
  update(done: number, fields?: Readonly<Record<string, string | number>>): void;
  setTotal(total: number): void;
  stop(): void;
}

export function isInteractive(stream: NodeJS.WriteStream = process.stderr): boolean {
  const ci = process.env.CI;
  return Boolean(stream.isTTY) && !(ci && ci !== 'false' && ci !== '0');
}

const quiet: Progress = { update() {}, setTotal() {}, stop() {} };

/**
 * @param label what is progressing ("replay", "verify")
 * @param unit what is counted ("lines")
 * @param extra names of extra fields shown after the count, e.g. ['rate']
 */
export function createProgress(
  label: string,
  total: number,
  unit: string,
  extra: readonly string[] = [],
): Progress {
  if (!isInteractive()) return quiet;
  const format = `${label.padEnd(8)} [{bar}] {percentage}% {value}/{total} ${unit}${extra.map((e) => ` | ${e} {${e}}`).join('')} | {duration_formatted}`;
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, Object.fromEntries(extra.map((e) => [e, ''])));
  return {
    update: (done, fields) => bar.update(done, fields),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}
