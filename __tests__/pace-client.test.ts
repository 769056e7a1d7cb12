/**
 * The region's pace in the EC2 client (src/aws/ec2.ts `paceEveryAttempt`, `ec2ClientConfig`): the
 * real SDK client against the emulator's EC2-like buckets. Counts and answers, not timings.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { EC2Client } from '@aws-sdk/client-ec2'
import { startAwsEmulator, type AwsEmulator } from '../test-support/emulator/ec2.js'
import { Ec2, ec2ClientConfig, pacedBackoff } from '../src/aws/ec2.js'
import { Pace } from '../src/aws/pace.js'

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true'

const REGION = 'eu-west-1'
let emu: AwsEmulator
const clients: EC2Client[] = []

beforeAll(async () => {
  emu = await startAwsEmulator()
})
afterAll(async () => {
  for (const c of clients) c.destroy()
  await emu.close()
})
beforeEach(() => {
  emu.resetFaults()
  emu.clearCalls()
})

function regionEc2(): Ec2 {
  const client = new EC2Client({
    region: REGION,
    endpoint: emu.url,
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    ...ec2ClientConfig()
  })
  clients.push(client)
  return new Ec2(REGION, client, new Pace())
}

describe('the pace in the EC2 client', () => {
  it('sees every attempt: a throttled first attempt is counted at once and retried, and the call succeeds', async () => {
    const ec2 = regionEc2()
    const image = emu.addImage(REGION, {})
    emu.faults.throttle = { mode: 'burst', count: 1 }
    const found = await ec2.imagesById([image.imageId])
    expect(found.map((i) => i.imageId)).toEqual([image.imageId])
    expect(emu.callsOf('DescribeImages').map((c) => c.errorCode ?? 'ok')).toEqual(['RequestLimitExceeded', 'ok'])
    // two attempts through the pace, one of them throttled; the pace no longer probes
    // after one clean answer: a busy account, 45% of EC2's 20 a second
    expect(ec2.pace.stats()['describe']).toMatchObject({ calls: 2, throttled: 1, rate: 9 })
  })

  it('paces pages and changes alike: DescribeImageAttribute and DisableImage each spend their own class', async () => {
    const ec2 = regionEc2()
    const images = Array.from({ length: 3 }, () => emu.addImage(REGION, {}))
    await Promise.all(images.map((i) => ec2.sharing(i.imageId)))
    await Promise.all(images.map((i) => ec2.disable(i.imageId)))
    expect(ec2.pace.stats()).toMatchObject({ describe: { calls: 3, throttled: 0 }, mutate: { calls: 3, throttled: 0 } })
  })

  it('a drained account (5% full, half of every refill spent by others): nine reads at once, at most three throttled, none failed', async () => {
    const ec2 = regionEc2()
    const images = Array.from({ length: 9 }, () => emu.addImage(REGION, {}))
    emu.faults.throttle = { mode: 'ec2', level: 0.05, background: 0.5 }
    await ec2.images([])
    await ec2.images([])
    const read = await Promise.all(images.map((i) => ec2.sharing(i.imageId)))
    expect(read).toHaveLength(9)
    const throttled = emu.callsOf('DescribeImageAttribute').filter((c) => c.errorCode === 'RequestLimitExceeded')
    expect(throttled.length).toBeLessThanOrEqual(3)
    expect(emu.callsOf('DescribeImageAttribute').filter((c) => !c.errorCode)).toHaveLength(9)
  })
})

describe('pacedBackoff', () => {
  it("keeps the SDK's full jitter and doubling, from at most 100 ms (the SDK's throttling base is 1 s)", () => {
    const backoff = pacedBackoff(() => 0.999)
    backoff.setDelayBase?.(1000)
    expect([0, 1, 2].map((i) => backoff.computeNextBackoffDelay(i))).toEqual([99, 199, 399])
    backoff.setDelayBase?.(50)
    expect(backoff.computeNextBackoffDelay(0)).toBe(49)
    expect(pacedBackoff(() => 0.999).computeNextBackoffDelay(30)).toBe(19980)
  })
})
