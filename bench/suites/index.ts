import type { BenchSuite } from '../suite.js';
import { booksSuite } from './books.js';
import { decodeSuite } from './decode.js';
import { tapeSuite } from './tape.js';

/** Every benchmark suite `npm run bench` knows, in run order. Add a suite: one file, one line here. */
export const SUITES: readonly BenchSuite[] = [decodeSuite, tapeSuite, booksSuite];
