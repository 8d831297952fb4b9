import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AdminDecoder,
  decodeCommand,
  encodeCommand,
  encodeMessage,
  L1Decoder,
  L2Decoder,
} from '../../../collector/protocol/index.js';
import {
  adminMessages,
  command,
  fundamental60,
  fundamental61,
  l1Messages,
  l2Messages,
  update,
} from './arbitraries.js';

/**
 * decode(encode(m)) deep-equals m, for every message type the simulator may send. fast-check
 * builds records without a prototype; `{ ...m }` compares them as the plain objects decoders
 * return.
 */

describe('L1 round trip', () => {
  it('Q and P over any field list', () => {
    fc.assert(
      fc.property(update, ({ fields, message }) => {
        const line = encodeMessage(message, fields);
        expect(new L1Decoder({ fields }).decode(line)).toStrictEqual({ ...message });
      }),
    );
  });

  it('F in the 6.1+ layout', () => {
    fc.assert(
      fc.property(fundamental61, (m) => {
        expect(new L1Decoder({ protocol: '6.2' }).decode(encodeMessage(m))).toStrictEqual({ ...m });
      }),
    );
  });

  it('F in the 6.0 layout', () => {
    fc.assert(
      fc.property(fundamental60, (m) => {
        expect(new L1Decoder({ protocol: '6.0' }).decode(encodeMessage(m))).toStrictEqual({ ...m });
      }),
    );
  });

  for (const [name, arb] of Object.entries(l1Messages)) {
    it(name, () => {
      fc.assert(
        fc.property(arb, (m) => {
          expect(new L1Decoder().decode(encodeMessage(m))).toStrictEqual({ ...m });
        }),
      );
    });
  }
});

describe('L2 round trip', () => {
  for (const [name, arb] of Object.entries(l2Messages)) {
    it(name, () => {
      fc.assert(
        fc.property(arb, (m) => {
          expect(new L2Decoder().decode(encodeMessage(m))).toStrictEqual({ ...m });
        }),
      );
    });
  }
});

describe('admin round trip', () => {
  for (const [name, arb] of Object.entries(adminMessages)) {
    it(name, () => {
      fc.assert(
        fc.property(arb, (m) => {
          expect(new AdminDecoder().decode(encodeMessage(m))).toStrictEqual({ ...m });
        }),
      );
    });
  }
});

describe('client command round trip', () => {
  it('every command decodes back from its line, on a port that takes it', () => {
    fc.assert(
      fc.property(command, ({ channel, command: c }) => {
        expect(decodeCommand(channel, encodeCommand(c))).toStrictEqual({ ...c });
      }),
    );
  });
});
