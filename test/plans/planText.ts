// An exported plan's text as tests read and rewrite it (spec/plan-export.md, WritePlan): its parsed body, and
// another body put behind its header with the checksum written for it, as whoever rewrites a stored plan
// would. One place for what the header holds, so a change of the checksum or the layout is made here once.

import { planChecksum } from "../../src/engine/planExport/fingerprint.js";

/** The parsed body of a plan text: the JSON after its header line. */
export function planBody<T = Record<string, unknown>>(text: string): T {
  return JSON.parse(text.slice(text.indexOf("\n") + 1)) as T;
}

/** The plan text with `body` (JSON text) in place of its own, and the header's checksum recomputed for it. */
export function withBody(text: string, body: string): string {
  const header = text.slice(0, text.indexOf("\n")).split(" ");
  header[4] = planChecksum(body);
  return `${header.join(" ")}\n${body}`;
}
