// JSONWriter: JSON text written as bytes into one growing buffer, for executeToJSON. The buffer lives outside
// the JS heap, so a large response costs the heap about its text once (the final string), not an object tree
// plus the text. Escaping is JSON.stringify's: ASCII strings that need none are copied as they are.

export class JSONWriter {
  private buffer: Buffer;
  private at = 0;

  constructor(initialBytes = 16_384) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  /** Text that is already JSON and ASCII (punctuation, keys, numbers, literals). */
  raw(text: string): void {
    this.reserve(text.length);
    this.at += this.buffer.write(text, this.at, "latin1");
  }

  /** A string value, quoted and escaped as JSON.stringify would. */
  str(value: string): void {
    const n = value.length;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) {
        const text = JSON.stringify(value);
        this.reserve(text.length * 3);
        this.at += this.buffer.write(text, this.at, "utf8");
        return;
      }
    }
    this.reserve(n + 2);
    const buffer = this.buffer;
    buffer[this.at++] = 0x22;
    this.at += buffer.write(value, this.at, "latin1");
    buffer[this.at++] = 0x22;
  }

  /** A finite number. */
  num(value: number): void {
    this.raw(String(value));
  }

  /** A leaf value a scalar's serialize gave: a string, a finite number or a boolean (anything else: JSON.stringify's). */
  value(value: unknown): void {
    if (typeof value === "string") this.str(value);
    else if (typeof value === "number" && Number.isFinite(value)) this.num(value);
    else if (typeof value === "boolean") this.raw(value ? "true" : "false");
    else this.utf8(JSON.stringify(value) ?? "null");
  }

  /** JSON text that may hold any character (a serialize result's own JSON.stringify). */
  private utf8(text: string): void {
    this.reserve(text.length * 3);
    this.at += this.buffer.write(text, this.at, "utf8");
  }

  /** Everything written, as one string. */
  text(): string {
    return this.buffer.toString("utf8", 0, this.at);
  }
}
