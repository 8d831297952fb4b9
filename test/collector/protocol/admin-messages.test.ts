import { describe, expect, it } from 'vitest';
import { AdminDecoder, isDecodeError, L1Decoder } from '../../../collector/protocol/index.js';

const decode = (line: string) => new AdminDecoder().decode(line);

describe('admin port messages', () => {
  it('S,STATS with a one-digit hour and a quoted login id kept as sent', () => {
    expect(
      decode(
        'S,STATS,10.1.2.3,60003,1300,42,3,1,2,5,Jun 21 7:05AM,Jun 21 10:15AM,Connected,6.2.0.25,"123456",1024.5,3.25,2.5,88.1,0.5,0.25,',
      ),
    ).toStrictEqual({
      Type: 'S',
      'System Type': 'STATS',
      'Server IP': '10.1.2.3',
      'Server Port': 60003,
      'Max Symbols': 1300,
      'Number of Symbols': 42,
      'Clients Connected': 3,
      'Seconds Since Last Update': 1,
      Reconnections: 2,
      'Attempted Reconnections': 5,
      'Start Time': 'Jun 21 7:05AM',
      'Market Time': 'Jun 21 10:15AM',
      Status: 'Connected',
      'IQFeed Version': '6.2.0.25',
      'Login ID': '"123456"',
      'Total KB Received': 1024.5,
      'KB/s Received': 3.25,
      'Avg KB/s Received': 2.5,
      'Total KB Sent': 88.1,
      'KB/s Sent': 0.5,
      'Avg KB/s Sent': 0.25,
    });
  });

  it('S,STATS is also what L1 answers to S,REQUEST STATS', () => {
    expect(
      new L1Decoder().decode('S,STATS,,,0,0,1,0,0,0,,,Not Connected,6.2.0.25,1,0,0,0,0,0,0,'),
    ).toMatchObject({
      'System Type': 'STATS',
      Status: 'Not Connected',
      'Server IP': null,
    });
  });

  it('S,CLIENTSTATS with a named level 2 client', () => {
    expect(decode('S,CLIENTSTATS,2,17,collector-l2,20240621 093001,25,,12.50,1800.75,0.00,')).toStrictEqual({
      Type: 'S',
      'System Type': 'CLIENTSTATS',
      'Client Type': 2,
      'Client ID': 17,
      'Client Name': 'collector-l2',
      'Start Time': '2024-06-21T09:30:01',
      Symbols: 25,
      'Regional Symbols': null,
      'KB Received': 12.5,
      'KB Sent': 1800.75,
      'KB Queued': 0,
    });
  });

  it('acks and echoes of admin commands', () => {
    expect(decode('S,REGISTER CLIENT APP COMPLETED,')).toStrictEqual({
      Type: 'S',
      'System Type': 'REGISTER CLIENT APP COMPLETED',
    });
    expect(decode('S,LOGIN INFO NOT SAVED')).toStrictEqual({
      Type: 'S',
      'System Type': 'LOGIN INFO NOT SAVED',
    });
    expect(decode('S,AUTOCONNECT OFF,')).toStrictEqual({ Type: 'S', 'System Type': 'AUTOCONNECT OFF' });
    expect(decode('S,CURRENT LOGINID,998877,')).toStrictEqual({
      Type: 'S',
      'System Type': 'CURRENT LOGINID',
      'Login ID': '998877',
    });
    expect(decode('S,CURRENT PASSWORD,(9****1),')).toStrictEqual({
      Type: 'S',
      'System Type': 'CURRENT PASSWORD',
      Password: '(9****1)',
    });
    expect(decode('S,CURRENT PROTOCOL,6.2,')).toStrictEqual({
      Type: 'S',
      'System Type': 'CURRENT PROTOCOL',
      Protocol: '6.2',
    });
    expect(decode('E,6.3 is not a valid protocol.,')).toStrictEqual({
      Type: 'E',
      Error: '6.3 is not a valid protocol.',
    });
  });

  it('malformed admin lines name the field', () => {
    const e = decode('S,CLIENTSTATS,2,17,x,2024-06-21 09:30,');
    expect(isDecodeError(e) && e).toMatchObject({
      field: 'Start Time',
      index: 5,
      expected: 'a timestamp YYYYMMDD HHMMSS',
    });
    const t = decode('Q,IBM');
    expect(isDecodeError(t) && t).toMatchObject({ field: 'Type', expected: 'S or E' });
  });
});
