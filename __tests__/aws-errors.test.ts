import { describe, expect, test } from '@jest/globals'
import { AwsError, awsCall, describeError } from '../src/aws/errors.js'

/** What the SDK throws for an EC2 error answer: the code as name and Code, EC2's message. */
function sdkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: code, Code: code })
}

describe('AwsError', () => {
  test("a denial names the IAM action, which EC2's own message does not", () => {
    const error = new AwsError(
      'ec2:DescribeImages',
      sdkError('UnauthorizedOperation', 'You are not authorized to perform this operation.')
    )
    expect(error.denied).toBe(true)
    expect(error.describe()).toBe('not authorized: the role needs ec2:DescribeImages (UnauthorizedOperation)')
    expect(describeError(error)).toBe(error.describe())
  })

  test.each(['AccessDenied', 'AccessDeniedException', 'AuthFailure'])('%s is a denial too', (code) => {
    expect(new AwsError('autoscaling:DescribeAutoScalingGroups', sdkError(code, 'no')).denied).toBe(true)
  })

  test('another error names the call, the code and the first line of the message', () => {
    const error = new AwsError(
      'ec2:DisableImage',
      sdkError('InternalError', 'An internal error has occurred\nretry later')
    )
    expect(error.denied).toBe(false)
    expect(error.describe()).toBe('DisableImage failed: InternalError (An internal error has occurred)')
  })

  test('a message that only repeats the code is not said twice', () => {
    expect(new AwsError('ec2:CreateTags', sdkError('Throttling', 'Throttling')).describe()).toBe(
      'CreateTags failed: Throttling'
    )
  })

  test('awsCall wraps a failure once, keeping the innermost action', async () => {
    const inner = awsCall('ec2:DescribeImages', () => Promise.reject(sdkError('InvalidAMIID.NotFound', 'gone')))
    const outer = awsCall('ec2:DisableImage', () => inner)
    await expect(outer).rejects.toMatchObject({ action: 'ec2:DescribeImages', code: 'InvalidAMIID.NotFound' })
    await expect(awsCall('ec2:DescribeImages', () => Promise.resolve(7))).resolves.toBe(7)
  })

  test('describeError of anything else is its message', () => {
    expect(describeError(new Error('plain'))).toBe('plain')
    expect(describeError('text')).toBe('text')
  })
})
