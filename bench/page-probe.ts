/**
 * Another visitor, in a process of its own: asks for one page (the URL in argv) one request at a time. It writes
 * "ready" once the first request is answered; each newline on its stdin starts a new segment; when stdin closes it
 * writes the latency of every request, in ms, as one JSON array of segments. bench/photos.ts runs it so that the
 * uploading client's own work (building and sending the multipart bodies) cannot delay this visitor's timings.
 */
export {};

const url = process.argv[2]!;
const segments: number[][] = [[]];
let finished = false;
process.stdin.on('data', (d: Buffer) => {
  for (const byte of d) if (byte === 0x0a) segments.push([]);
});
process.stdin.on('end', () => (finished = true));
while (!finished) {
  const t = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  segments.at(-1)!.push(performance.now() - t);
  if (segments.length === 1 && segments[0]!.length === 1) process.stdout.write('ready\n');
}
process.stdout.write(`${JSON.stringify(segments)}\n`);
