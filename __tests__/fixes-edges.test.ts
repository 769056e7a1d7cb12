/**
 * The fixes' edges that the main suite (fixes.test.ts) does not reach: text that only looks like an SSM reference, and
 * a region that cannot go into a command. Pure.
 */
import { describe, expect, test } from '@jest/globals'
import type { RegionReport } from '../src/model.js'
import { ssmParameter, templateFix } from '../src/report/fixes.js'
import { emptyRegion } from '../src/steps/regions.js'
import { templateUseMaker } from '../test-support/report-fixtures.js'

const NEW = 'ami-0000000000000000f'

describe('ssmParameter reads only a whole reference: resolve:ssm:NAME, with at most one :version or :label', () => {
  test.each(['x-resolve:ssm:/golden/web', ' resolve:ssm:/golden/web', 'ssm:resolve:ssm:/golden/web'])(
    'text before resolve:ssm: is no reference: %j',
    (ref) => {
      expect(ssmParameter(ref)).toBeUndefined()
    }
  )

  test.each(['resolve:ssm:/golden/web:7:8', 'resolve:ssm:/golden/web:7:'])('more than one suffix: %j', (ref) => {
    expect(ssmParameter(ref)).toBeUndefined()
  })
})

describe('a region that cannot go into a command unquoted', () => {
  test('the commands leave --region out rather than write it', () => {
    const region = 'eu west 1'
    const report: RegionReport = { ...emptyRegion(region), pointTo: NEW }
    const fix = templateFix(templateUseMaker(region, 'ami-0000000000000000a')(), report)
    expect(fix.commands.length).toBeGreaterThan(0)
    for (const command of fix.commands) {
      expect(command).not.toContain('--region')
      expect(command).not.toContain('eu west 1')
    }
    // nothing in its place
    expect(fix.commands[0]).toMatch(/^v=\$\(aws ec2 create-launch-template-version --launch-template-id lt-0aaa /)
  })
})
