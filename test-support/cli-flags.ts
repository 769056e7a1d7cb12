/**
 * The command-line flags of the demo, the bench and the emulator, read with `node:util`'s
 * `parseArgs` in strict mode: a mistyped flag, a stray argument or a bad number is an error with
 * the usage (exit code 2), not ignored; `--help` / `-h` prints the usage (exit code 0).
 */
import { parseArgs } from 'node:util'

/** Single-valued flags only: a string or a switch. */
type Options = Record<string, { type: 'string' | 'boolean'; short?: string }>
type Values<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string }

export interface Cli<O extends Options> {
  /** The flags given (`--help` is handled already). */
  values: Values<O>
  /** Ends the program with the message and the usage (exit code 2). */
  usageError: (message: string) => never
}

export function readFlags<O extends Options>(program: string, usage: string, options: O): Cli<O> {
  function usageError(message: string): never {
    process.stderr.write(`${program}: ${message}\n${usage}\n`)
    process.exit(2)
  }
  let values: Values<O> & { help?: boolean }
  try {
    const all = { ...options, help: { type: 'boolean', short: 'h' } }
    values = parseArgs({ options: all, strict: true, allowPositionals: false }).values
  } catch (error) {
    usageError((error as Error).message)
  }
  if (values.help) {
    console.log(usage)
    process.exit(0)
  }
  return { values, usageError }
}

/**
 * What the emulator's and the GitHub fake's CLIs do once started: print each call answered (to
 * stderr, every 200 ms, `line` of it), and close the server on Ctrl-C or SIGTERM.
 */
export function logCallsUntilStopped<C extends { seq: number }>(
  calls: readonly C[],
  line: (call: C) => string,
  close: () => Promise<void>
): void {
  let lastSeq = 0
  const logTimer = setInterval(() => {
    for (const c of calls) {
      if (c.seq <= lastSeq) continue
      lastSeq = c.seq
      console.error(line(c))
    }
  }, 200)
  const stop = (): void => {
    clearInterval(logTimer)
    void close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
