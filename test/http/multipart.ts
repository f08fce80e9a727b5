// Reads a multipart/mixed GraphQL response (the incremental delivery over HTTP RFC, boundary "-") part by
// part as the bytes arrive: each part's headers checked, its JSON body parsed. The tests read the first part
// before letting the server compute the next, which is how they show a part is sent when it is ready.

/** The parts of a multipart/mixed body with boundary "-", each as soon as it is complete. */
export async function* multipartParts(response: Response): AsyncGenerator<any, void, void> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let start = -1;
  try {
    for (;;) {
      // A part is complete when the delimiter after it has arrived ("\r\n---", then "\r\n" or "--" for the last).
      for (;;) {
        if (start < 0) {
          const first = text.indexOf("\r\n---");
          if (first < 0) break;
          start = first + 5;
        }
        const end = text.indexOf("\r\n---", start);
        if (end < 0) break;
        const part = text.slice(start, end);
        const blank = part.indexOf("\r\n\r\n");
        if (blank < 0) throw new Error(`a part without headers: ${JSON.stringify(part)}`);
        const headers = part.slice(0, blank).trim().toLowerCase();
        if (!headers.includes("content-type: application/json; charset=utf-8")) throw new Error(`a part's headers: ${headers}`);
        yield JSON.parse(part.slice(blank + 4));
        text = text.slice(end);
        start = 5;
      }
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    if (!text.startsWith("\r\n-----")) throw new Error(`the body does not close with the final delimiter: ${JSON.stringify(text.slice(0, 80))}`);
  } finally {
    reader.releaseLock();
  }
}

/** POSTs a query to `url` with an Accept header; the fetch Response, its body unread. */
export function postAccepting(url: string, accept: string, body: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", accept }, body: JSON.stringify(body) });
}

/** A promise and the function that settles it: what a deferred resolver waits on until the test lets it go. */
export function gate(): { promise: Promise<void>; release: () => void; released: () => boolean } {
  let release!: () => void;
  let done = false;
  const promise = new Promise<void>((resolve) => (release = () => ((done = true), resolve())));
  return { promise, release, released: () => done };
}
