// A large capture for the packet benchmark, made from the real lab capture
// (fixtures/lab/captures/server.pcap: OpenSSH sessions recorded with tcpdump): the capture is
// repeated K times, each copy shifted in time after the previous one and with its client ports
// moved, so every copy is a new set of TCP streams. Checksums are not updated (neither tshark nor
// keylag checks them by default). Classic pcap, little-endian, Ethernet, IPv4, as the source is.
import { readFileSync, createWriteStream } from 'node:fs';

const SSH_PORT = 22;

export async function writeBenchCapture(source: string, path: string, copies: number): Promise<{ packets: number; bytes: number }> {
  const input = readFileSync(source);
  if (input.readUInt32LE(0) !== 0xa1b2c3d4 || input.readUInt32LE(20) !== 1) throw new Error(`${source}: expected a little-endian Ethernet pcap`);
  const records: { at: number; length: number }[] = [];
  let firstUs = Infinity;
  let lastUs = -Infinity;
  for (let at = 24; at + 16 <= input.length;) {
    const length = input.readUInt32LE(at + 8);
    records.push({ at, length });
    const us = input.readUInt32LE(at) * 1e6 + input.readUInt32LE(at + 4);
    firstUs = Math.min(firstUs, us);
    lastUs = Math.max(lastUs, us);
    at += 16 + length;
  }
  const spanUs = Math.ceil(lastUs - firstUs) + 1_000_000;
  const out = createWriteStream(path);
  const write = (buf: Buffer) => new Promise<void>((resolve) => { if (out.write(buf)) resolve(); else out.once('drain', resolve); });
  await write(input.subarray(0, 24));
  let packets = 0;
  let bytes = 24;
  for (let k = 0; k < copies; k++) {
    const block = Buffer.alloc(records.reduce((s, r) => s + 16 + r.length, 0));
    let o = 0;
    for (const r of records) {
      input.copy(block, o, r.at, r.at + 16 + r.length);
      const us = input.readUInt32LE(r.at) * 1e6 + input.readUInt32LE(r.at + 4) + k * spanUs;
      block.writeUInt32LE(Math.floor(us / 1e6), o);
      block.writeUInt32LE(us % 1e6, o + 4);
      const frame = o + 16;
      // Ethernet II + IPv4 + TCP: move the client port (the side that is not 22) by k.
      if (r.length >= 14 + 20 + 4 && block.readUInt16BE(frame + 12) === 0x0800 && block[frame + 23] === 6) {
        const tcp = frame + 14 + (block[frame + 14]! & 0x0f) * 4;
        const src = block.readUInt16BE(tcp);
        const dst = block.readUInt16BE(tcp + 2);
        if (src !== SSH_PORT) block.writeUInt16BE(((src - 1024 + k * 7) % 60000) + 1024, tcp);
        if (dst !== SSH_PORT) block.writeUInt16BE(((dst - 1024 + k * 7) % 60000) + 1024, tcp + 2);
      }
      o += 16 + r.length;
      packets++;
    }
    await write(block);
    bytes += block.length;
  }
  await new Promise<void>((resolve) => out.end(resolve));
  return { packets, bytes };
}
