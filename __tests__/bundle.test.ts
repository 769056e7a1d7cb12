/**
 * What the bundle the runner loads (built by scripts/build.ts from the current sources, as dist/ is) holds at start: only the
 * EC2 commands the action sends (the SDK's ES modules, not its one-file CommonJS client with all
 * of EC2's commands), and no Auto Scaling client (a chunk loaded on first use).
 */
import { describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { SourceMap, type SourceMapPayload } from 'node:module'
import { dirname, join } from 'node:path'
import { defaultEntry } from '../test-support/run-action.js'

const dist = dirname(defaultEntry())
const main = readFileSync(join(dist, 'index.js'), 'utf8')
const definedCommands = (code: string): string[] =>
  [...new Set([...code.matchAll(/class (\w+Command) extends/g)].map((m) => m[1]!))].sort()

describe('the bundle', () => {
  test('the start-up chunk defines the EC2 commands the action sends, and no others', () => {
    expect(definedCommands(main)).toEqual([
      'CreateImageUsageReportCommand',
      'CreateTagsCommand',
      'DeregisterImageCommand',
      'DescribeImageAttributeCommand',
      'DescribeImageReferencesCommand',
      'DescribeImageUsageReportEntriesCommand',
      'DescribeImageUsageReportsCommand',
      'DescribeImagesCommand',
      'DescribeLaunchTemplateVersionsCommand',
      'DescribeLaunchTemplatesCommand',
      'DescribeSnapshotsCommand',
      'DisableImageCommand',
      'EnableImageCommand',
      'ListImagesInRecycleBinCommand',
      'ListSnapshotsInRecycleBinCommand',
      'ModifyImageAttributeCommand',
      'ModifySnapshotTierCommand',
      'RestoreImageFromRecycleBinCommand',
      'RestoreSnapshotFromRecycleBinCommand'
    ])
  })

  test('the Auto Scaling client is in a chunk of its own, not in the start-up chunk', () => {
    expect(main).not.toMatch(/class AutoScalingClient\b/)
    const chunks = readdirSync(dist).filter((f) => /^\d+\.index\.js$/.test(f))
    const holding = chunks.filter((f) => /class AutoScalingClient\b/.test(readFileSync(join(dist, f), 'utf8')))
    expect(holding).toHaveLength(1)
    expect(definedCommands(readFileSync(join(dist, holding[0]!), 'utf8'))).toEqual([
      'DescribeAutoScalingGroupsCommand',
      'DescribeLaunchConfigurationsCommand'
    ])
  })

  test('its source map points the pruned code at the sources it came from (stack traces and profiles read it)', () => {
    const map = new SourceMap(JSON.parse(readFileSync(join(dist, 'index.js.map'), 'utf8')) as SourceMapPayload)
    const lines = main.split('\n')
    const sourceOf = (declaration: string): string => {
      const line = lines.findIndex((l) => l.includes(declaration))
      expect(line).toBeGreaterThan(-1)
      const column = lines[line]!.indexOf(declaration) + declaration.length
      return (map.findEntry(line, column) as { originalSource?: string }).originalSource ?? ''
    }
    expect(sourceOf('function outputsOf(')).toMatch(/(^|\/)src\/report\/outputs\.ts$/)
    expect(sourceOf('function usageOfDisabling(')).toMatch(/(^|\/)src\/steps\/disable-images\.ts$/)
    expect(sourceOf('function outcomeOf(')).toMatch(/(^|\/)src\/rules\/outcome\.ts$/)
  })
})
