/**
 * A hostile HTTP server on 127.0.0.1 (port 0) for the download tests, and bombs built without ever
 * holding their unpacked bytes: a DEFLATE stream of N copies of one sync-flushed megabyte of zeros
 * (each copy refers only to itself, so the copies can simply be concatenated) closed by an empty
 * final block. 700 MB of zeros packs into ~700 kB, like the zip of issue 16.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, deflateRawSync, gzipSync } from 'node:zlib';

/** Raw DEFLATE data that inflates to `megabytes` MiB of zeros. */
export function deflateBomb(megabytes: number): Buffer {
  const segment = deflateRawSync(Buffer.alloc(1 << 20), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const final = deflateRawSync(Buffer.alloc(0)); // an empty block with BFINAL set
  return Buffer.concat([...Array.from({ length: megabytes }, () => segment), final]);
}

/** A one-entry zip (`name`, DEFLATE) of `megabytes` MiB of zeros; the CRC is left 0: nobody gets that far. */
export function zipBomb(name: string, megabytes: number): Buffer {
  const data = deflateBomb(megabytes);
  const fileName = Buffer.from(name);
  const size = megabytes * (1 << 20);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8); // DEFLATE
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(size >>> 0, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size >>> 0, 24);
  central.writeUInt16LE(fileName.length, 28);
  const cdOffset = local.length + fileName.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

/** A gzip member of `megabytes` MiB of zeros (trailer CRC left 0). */
export function gzipBomb(megabytes: number): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  return Buffer.concat([header, deflateBomb(megabytes), Buffer.alloc(8)]);
}

export const GOOD_TEXT = 'IDX files would be here.\n'.repeat(4000);
export const GOOD_GZ = gzipSync(GOOD_TEXT);

export interface HostileServer {
  base: string;
  /** Bytes the endless route managed to send before the client hung up. */
  endlessSent: () => number;
  server: Server;
  close: () => Promise<void>;
}

/** A body that never ends, as far as a client can tell: 64 MB (so a client without a cap fails the test instead of eating the machine). */
const ENDLESS_LIMIT = 64e6;

function endless(res: ServerResponse, count: (n: number) => void): void {
  res.writeHead(200, { 'content-type': 'application/zip' });
  const piece = Buffer.alloc(64 * 1024, 0x41);
  let sent = 0;
  const pump = (): void => {
    while (!res.destroyed && sent < ENDLESS_LIMIT) {
      sent += piece.length;
      count(sent);
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

/**
 * Routes: /endless, /silent (never answers), /stall (10 of 100 bytes, then silence), /drip (a byte
 * every 20 ms of 1000), /truncated (500 of the 1000 bytes announced, then the socket closes),
 * /huge (announces 10 GB), /bomb.zip (cmn.txt: 700 MiB in ~700 kB), /bomb.gz (700 MiB), /good.gz,
 * /bad.gz (not gzip), /short.gz (a gzip cut in half, sent whole).
 */
export async function startHostileServer(): Promise<HostileServer> {
  let endlessSent = 0;
  const bombZip = zipBomb('cmn.txt', 700);
  const bombGz = gzipBomb(700);
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const send = (body: Buffer, type = 'application/octet-stream'): void => {
      res.writeHead(200, { 'content-type': type, 'content-length': body.length });
      res.end(body);
    };
    switch (req.url) {
      case '/endless':
        return endless(res, (n) => (endlessSent = n));
      case '/silent':
        return; // the request is read, the answer never comes
      case '/stall':
        res.writeHead(200, { 'content-length': 100 });
        res.write(Buffer.alloc(10));
        return;
      case '/drip': {
        res.writeHead(200, { 'content-length': 1000 });
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('x')), 20);
        timers.add(t);
        return;
      }
      case '/truncated':
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': 1000 });
        res.write(Buffer.alloc(500), () => res.socket?.destroy());
        return;
      case '/huge':
        res.writeHead(200, { 'content-length': 10e9 });
        res.write(Buffer.alloc(10));
        return;
      case '/bomb.zip':
        return send(bombZip, 'application/zip');
      case '/bomb.gz':
        return send(bombGz, 'application/gzip');
      case '/good.gz':
        return send(GOOD_GZ, 'application/gzip');
      case '/bad.gz':
        return send(Buffer.from('<html>not gzip</html>'), 'text/html');
      case '/short.gz':
        return send(GOOD_GZ.subarray(0, GOOD_GZ.length >> 1), 'application/gzip');
      default:
        res.writeHead(404, 'Not Found');
        res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    endlessSent: () => endlessSent,
    server,
    close: async () => {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
