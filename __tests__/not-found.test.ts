/** Issue 12 point 6: an image id not found says the region it looked in, and how that region was chosen. */
import { describe, expect, test } from '@jest/globals'
import { notFoundIn } from '../src/steps/find-images.js'

const ID = 'ami-0123456789abcdef0'

describe('notFoundIn', () => {
  test.each([
    ['input', "(the 'region' input); if it lives elsewhere, write <region>:"],
    ['AWS_REGION', "(from AWS_REGION, as the 'region' input is empty); if it lives elsewhere, set 'region' or write"],
    ['AWS_DEFAULT_REGION', "(from AWS_DEFAULT_REGION, as 'region' and AWS_REGION are empty)"],
    ['image-id', '(the region written in image-id); check that region'],
    ['packer-manifest', "(from the packer-manifest's artifact_id); check that the manifest is this build's"]
  ] as const)('region from %s', (from, says) => {
    const message = notFoundIn('us-east-1', ID, from)
    expect(message.startsWith(`${ID} was not found in us-east-1 `)).toBe(true)
    expect(message).toContain(says)
  })

  test('where the region came from unknown: just where it looked', () => {
    expect(notFoundIn('eu-west-1', ID, undefined)).toBe(`${ID} was not found in eu-west-1`)
  })
})
