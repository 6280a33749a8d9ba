/** A local map tile server for tests: answers /{z}/{x}/{y}.png with one small PNG and counts the tiles asked for. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';

/** One PNG chunk: length, type, data and CRC. */
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** A 1×1 light grey PNG (the browser stretches it over the 256-pixel tile). */
const TILE = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0])),
  chunk('IDAT', deflateSync(Buffer.from([0, 0xdd, 0xdd, 0xdd]))),
  chunk('IEND', Buffer.alloc(0)),
]);

/** A running tile server. */
export interface TileServer {
  /** The template for MAP_TILE_URL. */
  urlTemplate: string;
  /** Tiles served so far. */
  requests: () => number;
  /** Stop answering (the map's tiles then fail to load). */
  close: () => Promise<void>;
}

/** Start the tile server on a free loopback port. */
export async function startTileServer(): Promise<TileServer> {
  let count = 0;
  const server = createServer((req, res) => {
    if (!/^\/\d{1,2}\/\d+\/\d+\.png$/.test(req.url ?? '')) {
      res.writeHead(404).end();
      return;
    }
    count += 1;
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': TILE.length, 'Cache-Control': 'no-store' }).end(TILE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlTemplate: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
