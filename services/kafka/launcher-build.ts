import { spawn } from 'node:child_process';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { L2hError } from '../../common/errors.js';
import type { ResolvedContext } from '../shared/context.js';
import { findExecutable } from '../shared/executable.js';
import { unavailable } from '../shared/unavailable.js';

export interface LauncherBuild {
  /** Where the binary is (or goes). */
  readonly launcher: string;
  readonly launcherSource: string;
  readonly compiler: string;
}

async function mtimeMs(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return null;
  }
}

/** What a failed compile says about the machine: which package is missing, if that is it. */
export function classifyCompileFailure(output: string): { reason: string; packages: string[] } {
  if (/rdkafka(_mock)?\.h: No such file/.test(output)) {
    return {
      reason: 'the librdkafka headers (librdkafka/rdkafka_mock.h) are missing',
      packages: ['librdkafka-dev'],
    };
  }
  if (/cannot find -lrdkafka/.test(output)) {
    return { reason: 'the librdkafka library (-lrdkafka) is missing', packages: ['librdkafka-dev'] };
  }
  const tail = output.trimEnd().split('\n').slice(-15).join('\n');
  return { reason: `compiling the Kafka mock launcher failed:\n${tail}`, packages: [] };
}

function run(command: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    proc.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    proc.once('error', reject);
    proc.once('close', (code) => resolve({ code, output }));
  });
}

/**
 * The path of a launcher binary at least as new as its source, compiling it first when it is
 * missing or stale. Throws SERVICE_UNAVAILABLE naming the apt packages when gcc or librdkafka-dev
 * is missing.
 */
export async function ensureMockLauncher(build: LauncherBuild, ctx: ResolvedContext): Promise<string> {
  const sourceTime = await mtimeMs(build.launcherSource);
  if (sourceTime === null) {
    throw new L2hError(`The Kafka mock launcher source is missing: ${build.launcherSource}`, {
      code: 'INTERNAL',
      context: { path: build.launcherSource },
    });
  }
  const binaryTime = await mtimeMs(build.launcher);
  if (binaryTime !== null && binaryTime >= sourceTime) return build.launcher;

  const compiler = await findExecutable([build.compiler], ctx.env);
  if (compiler === null) {
    throw unavailable({
      service: 'kafka',
      reason: `the C compiler "${build.compiler}" that builds the Kafka mock launcher was not found${
        binaryTime === null ? ` and ${build.launcher} does not exist` : ''
      }`,
      packages: ['gcc', 'librdkafka-dev'],
      envVar: 'KAFKA_BROKERS',
    });
  }
  const started = ctx.clock.monoUs();
  await mkdir(dirname(build.launcher), { recursive: true });
  // Parallel test workers may build at once: each writes its own file and renames it in place.
  const tmp = `${build.launcher}.${process.pid}.tmp`;
  const result = await run(compiler, [
    '-O2',
    '-Wall',
    '-pthread',
    '-o',
    tmp,
    build.launcherSource,
    '-lrdkafka',
  ]);
  if (result.code !== 0) {
    await rm(tmp, { force: true });
    const { reason, packages } = classifyCompileFailure(result.output);
    throw unavailable({ service: 'kafka', reason, packages, envVar: 'KAFKA_BROKERS' });
  }
  await rename(tmp, build.launcher);
  ctx.logger.info(
    { launcher: build.launcher, ms: Math.round((ctx.clock.monoUs() - started) / 1000) },
    'built the Kafka mock launcher',
  );
  return build.launcher;
}
