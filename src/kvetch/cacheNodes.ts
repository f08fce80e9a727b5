// Which Redis node serves which cache tag: one node, or a Cluster's slot map (CRC16 of the tag mod 16384).
// Groups a batch's tags by node so each node gets one round trip; never sends anything itself.

import type { Cluster, Redis } from "ioredis";

/** CRC16/XMODEM, the function Redis Cluster maps keys to its 16384 slots with. */
function crc16(text: string): number {
  const bytes = Buffer.from(text, "utf8");
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]! << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The node serving `tag` ("host:port"), or undefined when the Cluster has no slot map for it yet. */
export function nodeOfTag(client: Redis | Cluster, singleNode: string | null, tag: string): string | undefined {
  if (singleNode !== null) return singleNode;
  return (client as Cluster).slots[crc16(tag) % 16384]?.[0];
}

/** Positions of `tags` grouped by the node serving them; null when the Cluster has no slot map yet. */
export function groupByNode(client: Redis | Cluster, singleNode: string | null, tags: readonly string[]): Map<string, number[]> | null {
  const groups = new Map<string, number[]>();
  if (singleNode !== null) {
    const all = new Array<number>(tags.length);
    for (let i = 0; i < tags.length; i++) all[i] = i;
    groups.set(singleNode, all);
    return groups;
  }
  const slots = (client as Cluster).slots;
  for (let i = 0; i < tags.length; i++) {
    const node = slots[crc16(tags[i]!) % 16384]?.[0];
    if (node === undefined) return null;
    const group = groups.get(node);
    if (group) group.push(i);
    else groups.set(node, [i]);
  }
  return groups;
}
