/** The emulator's EC2 request-rate limits (test-support/emulator/throttle.ts): buckets per account, region and class. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { CreateTagsCommand, DescribeImagesCommand, DisableImageCommand, EC2Client } from '@aws-sdk/client-ec2'
import { startAwsEmulator, type AwsEmulator } from '../test-support/emulator/ec2.js'
import { EC2_BUCKETS, ec2BucketClass, Ec2Buckets, type Ec2ThrottleConfig } from '../test-support/emulator/throttle.js'

describe('Ec2Buckets (fake clock)', () => {
  it("uses EC2's sizes and refill rates per class", () => {
    expect(EC2_BUCKETS['describe']).toEqual({ capacity: 100, refillPerSec: 20 })
    expect(EC2_BUCKETS['mutate']).toEqual({ capacity: 50, refillPerSec: 5 })
    expect(EC2_BUCKETS['CreateTags']).toEqual({ capacity: 100, refillPerSec: 10 })
    expect(ec2BucketClass('DisableImage')).toBe('mutate')
    expect(ec2BucketClass('EnableImage')).toBe('mutate')
    expect(ec2BucketClass('DeregisterImage')).toBe('DeregisterImage')
    expect(ec2BucketClass('DescribeImageAttribute')).toBe('describe')
  })

  it('starts at `level` and refills at (1 - background) × the rate', () => {
    const b = new Ec2Buckets()
    const config: Ec2ThrottleConfig = { mode: 'ec2', level: 0.05, background: 0.5 }
    // mutate: 50 × 5% = 2.5 tokens
    expect(b.take(config, 'a', 'r', 'DisableImage', 0)).toBe(false)
    expect(b.take(config, 'a', 'r', 'DisableImage', 0)).toBe(false)
    expect(b.take(config, 'a', 'r', 'DisableImage', 0)).toBe(true)
    // 0.5 left; 5/s × 50% = 2.5/s: one more token after 200 ms
    expect(b.take(config, 'a', 'r', 'DisableImage', 100)).toBe(true)
    expect(b.take(config, 'a', 'r', 'DisableImage', 200)).toBe(false)
    expect(b.tokens(config, 'a', 'r', 'DisableImage', 1200)).toBeCloseTo(2.5)
    // never above the bucket
    expect(b.tokens(config, 'a', 'r', 'DisableImage', 1_000_000)).toBe(50)
    expect(b.refused.get('a:r:mutate')).toBe(2)
  })

  it('keeps accounts, regions and classes apart', () => {
    const b = new Ec2Buckets()
    const config: Ec2ThrottleConfig = { mode: 'ec2', level: 0.02 } // mutate: 1 token, CreateTags 2
    expect(b.take(config, 'a', 'r', 'DisableImage', 0)).toBe(false)
    expect(b.take(config, 'a', 'r', 'EnableImage', 0)).toBe(true)
    expect(b.take(config, 'b', 'r', 'DisableImage', 0)).toBe(false)
    expect(b.take(config, 'a', 's', 'DisableImage', 0)).toBe(false)
    expect(b.take(config, 'a', 'r', 'CreateTags', 0)).toBe(false)
    expect(b.take(config, 'a', 'r', 'CreateTags', 0)).toBe(false)
    expect(b.take(config, 'a', 'r', 'CreateTags', 0)).toBe(true)
  })
})

describe('the emulator under mode ec2', () => {
  let emu: AwsEmulator
  let t = 0
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }
  let ec2: EC2Client
  beforeAll(async () => {
    emu = await startAwsEmulator({ now: () => t })
    ec2 = new EC2Client({ region: 'us-east-1', endpoint: emu.url, credentials, maxAttempts: 1 })
  })
  afterAll(async () => {
    ec2.destroy()
    await emu.close()
  })
  beforeEach(() => {
    emu.resetFaults()
    emu.clearCalls()
    t = 0
  })

  it('answers RequestLimitExceeded as EC2 does (503, "Request limit exceeded."), logged in the calls', async () => {
    emu.faults.throttle = { mode: 'ec2', level: 0.02 }
    const image = emu.addImage('us-east-1', {})
    await ec2.send(new DisableImageCommand({ ImageId: image.imageId }))
    const error = (await ec2.send(new DisableImageCommand({ ImageId: image.imageId })).catch((e: unknown) => e)) as {
      name: string
      message: string
      $metadata: { httpStatusCode: number }
    }
    expect(error.name).toBe('RequestLimitExceeded')
    expect(error.message).toBe('Request limit exceeded.')
    expect(error.$metadata.httpStatusCode).toBe(503)
    expect(emu.callsOf('DisableImage').map((c) => [c.status, c.errorCode])).toEqual([
      [200, undefined],
      [503, 'RequestLimitExceeded']
    ])
    // the other classes have their own buckets
    await ec2.send(new DescribeImagesCommand({}))
    await ec2.send(new CreateTagsCommand({ Resources: [image.imageId], Tags: [{ Key: 'k', Value: 'v' }] }))
    // and the bucket refills with the emulator's clock
    t += 1000
    await ec2.send(new DisableImageCommand({ ImageId: image.imageId })).catch((e: unknown) => e)
    expect(emu.callsOf('DisableImage').at(-1)?.errorCode).not.toBe('RequestLimitExceeded')
  })
})
