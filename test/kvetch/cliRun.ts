// The graphscale CLI run in this process (runCli), its output captured: for the CLI's unit and integration tests.
import { Writable } from "node:stream";
import { runCli } from "../../src/kvetch/commandLine.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = "";
  return stream;
}

/** runCli with `args` in directory `cwd` and exactly the variables of `env`; its exit code and what it printed. */
export async function runCliIn(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const out = sink();
  const err = sink();
  const code = await runCli(args, { env, cwd, out, err });
  return { code, stdout: out.text, stderr: err.text };
}
