import type { BenchSuite } from '../suite.js';
import { booksSuite } from './books.js';
import { daySuite } from './day.js';
import { decodeSuite } from './decode.js';
import { e2eSinksSuite, e2eSuite } from './e2e.js';
import { latencySuite } from './latency.js';
import { loopbackSuite } from './loopback.js';
import { recordsSuite } from './records.js';
import { simulatorSuite } from './simulator.js';
import { sinksSuite } from './sinks.js';
import { tapeSuite } from './tape.js';

/** Every benchmark suite `npm run bench` knows, in run order. Add a suite: one file, one line here. */
export const SUITES: readonly BenchSuite[] = [
  loopbackSuite,
  decodeSuite,
  tapeSuite,
  booksSuite,
  recordsSuite,
  simulatorSuite,
  sinksSuite,
  e2eSuite,
  latencySuite,
  e2eSinksSuite,
  daySuite,
];
