/**
 * Helpers for the safety end-to-end tests (bad input, faults, races, hostile text, secrets):
 * on top of world.ts, nothing here knows the action's internals.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AwsEmulator, CallRecord } from '../../test-support/emulator/ec2.js'
import { MUTATING } from './world.js'

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `condition` every 20 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > until) throw new Error(`waitFor: ${what} did not happen within ${timeoutMs} ms`)
    await sleep(20)
  }
}

/** The workflow-command lines of a run's stdout: `::error::…`, `::warning::…`. */
export function commandLines(stdout: string, command: 'error' | 'warning' | 'notice' | 'debug' | 'add-mask'): string[] {
  return stdout.split(/\r?\n/).filter((l) => l.startsWith(`::${command}::`) || l.startsWith(`::${command} `))
}

/** Mutating calls that EC2 carried out (status 200, not DryRun). */
export function successfulMutations(aws: AwsEmulator): CallRecord[] {
  return aws.calls.filter((c) => MUTATING.includes(c.action) && c.status === 200 && c.params.DryRun !== 'true')
}

/** The image ids a call names (ImageId, ImageId.N, ResourceId.N, and image-id filter values). */
export function imagesNamed(call: CallRecord): string[] {
  const ids: string[] = []
  for (const [k, v] of Object.entries(call.params)) {
    if (/^(ImageId(\.\d+)?|ResourceId\.\d+)$/.test(k) && v.startsWith('ami-')) ids.push(v)
  }
  return ids
}

/** Writes a Packer manifest (object or raw text) into a fresh temp dir; returns its path. */
export function writeManifest(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'manifest-'))
  const path = join(dir, 'packer-manifest.json')
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

/** A Packer manifest build entry. */
export function build(artifactId: string, run = 'run-1', builderType = 'amazon-ebs'): Record<string, unknown> {
  return {
    name: 'web',
    builder_type: builderType,
    build_time: 1700000000,
    artifact_id: artifactId,
    packer_run_uuid: run,
    custom_data: null
  }
}
