/** The role that `consumer-role` names in another account, and its session name (pure rules). */
import { describe, expect, test } from '@jest/globals'
import { consumerRoleArn, isAccountId, partitionOf, sessionName } from '../src/rules/consumer-role.js'
import { parseConsumerRole } from '../src/settings.js'

describe('consumer-role ARN', () => {
  test.each([
    ['us-east-1', 'aws'],
    ['eu-west-1', 'aws'],
    ['ap-southeast-2', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eu-isoe-west-1', 'aws-iso-e']
  ])('the partition of %s is %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition)
  })

  test('a role name becomes the ARN of that role in the account, in the partition of the region', () => {
    expect(consumerRoleArn('ami-usage-reader', '111122223333', 'eu-west-1')).toBe(
      'arn:aws:iam::111122223333:role/ami-usage-reader'
    )
    expect(consumerRoleArn('ami-usage-reader', '111122223333', 'cn-north-1')).toBe(
      'arn:aws-cn:iam::111122223333:role/ami-usage-reader'
    )
    expect(consumerRoleArn('ami-usage-reader', '111122223333', 'us-gov-west-1')).toBe(
      'arn:aws-us-gov:iam::111122223333:role/ami-usage-reader'
    )
  })

  test('a role name or template is read without the spaces around it', () => {
    expect(consumerRoleArn('  ami-usage-reader \n', '111122223333', 'eu-west-1')).toBe(
      'arn:aws:iam::111122223333:role/ami-usage-reader'
    )
    expect(consumerRoleArn(' arn:aws:iam::{account}:role/r ', '111122223333', 'eu-west-1')).toBe(
      'arn:aws:iam::111122223333:role/r'
    )
  })

  test('every {account} of a template is replaced', () => {
    expect(consumerRoleArn('arn:aws:iam::{account}:role/{account}-reader', '444455556666', 'eu-west-1')).toBe(
      'arn:aws:iam::444455556666:role/444455556666-reader'
    )
  })

  test('an ARN template gets {account} replaced, and keeps its own partition and path', () => {
    expect(consumerRoleArn('arn:aws:iam::{account}:role/platform/ami-reader', '444455556666', 'eu-west-1')).toBe(
      'arn:aws:iam::444455556666:role/platform/ami-reader'
    )
    expect(consumerRoleArn('arn:aws-cn:iam::{account}:role/reader', '444455556666', 'us-east-1')).toBe(
      'arn:aws-cn:iam::444455556666:role/reader'
    )
  })

  test('every value that settings accept gives a well-formed role ARN', () => {
    for (const input of ['r', 'a+b=c,d.e@f_g-h', 'arn:aws-us-gov:iam::{account}:role/a/b/c']) {
      const role = parseConsumerRole(input)
      expect(role).toBeDefined()
      expect(consumerRoleArn(role ?? '', '123456789012', 'us-gov-west-1')).toMatch(
        /^arn:aws(-[a-z]+)*:iam::123456789012:role\/([\w+=,.@-]+\/)*[\w+=,.@-]+$/
      )
    }
  })

  test('an account id is 12 digits', () => {
    expect(isAccountId('111122223333')).toBe(true)
    expect(isAccountId('11112222333')).toBe(false)
    expect(isAccountId('1111222233334')).toBe(false)
    expect(isAccountId('all')).toBe(false)
  })
})

describe('session name', () => {
  const now = new Date('2026-12-01T09:30:00.123Z')
  const STS_SESSION = /^[\w+=,.@-]{2,64}$/

  test('names the run', () => {
    expect(sessionName('4242424242', now)).toBe('disable-superseded-ami-4242424242')
  })

  test('names the time when there is no run id', () => {
    expect(sessionName(undefined, now)).toBe('disable-superseded-ami-20261201T093000Z')
    expect(sessionName('  ', now)).toBe('disable-superseded-ami-20261201T093000Z')
  })

  test('reads the run id without the spaces around it', () => {
    expect(sessionName(' 4242424242 ', now)).toBe('disable-superseded-ami-4242424242')
  })

  test("keeps the characters STS allows and turns every other one into '-'", () => {
    expect(sessionName('a+b=c,d.e@f_g-h', now)).toBe('disable-superseded-ami-a+b=c,d.e@f_g-h')
    expect(sessionName('a b/c:d', now)).toBe('disable-superseded-ami-a-b-c-d')
  })

  test("stays within STS's limits whatever the run id", () => {
    for (const id of ['1', 'a b/c:d', 'x'.repeat(100), 'ü∆☃', '42\n43']) {
      expect(sessionName(id, now)).toMatch(STS_SESSION)
    }
    expect(sessionName('x'.repeat(100), now)).toHaveLength(64)
  })
})
