/** rules/checked.ts: the labels the steps write are the ones the renderer recognizes, in every count. */
import { describe, expect, test } from '@jest/globals'
import {
  consumerRoleChecked,
  isConsumerRoleChecked,
  isReferencesChecked,
  isUsageReportsChecked,
  REFERENCES_CHECKED,
  usageReportsChecked
} from '../src/rules/checked.js'

describe('what a search checked, written and read by one module', () => {
  test('consumer-role: the count of accounts and what was read in every one of them', () => {
    expect(consumerRoleChecked(1, [])).toBe('1 other account by consumer-role')
    expect(consumerRoleChecked(12, ['launch templates', 'Auto Scaling groups'])).toBe(
      '12 other accounts by consumer-role: launch templates, Auto Scaling groups'
    )
    expect([1, 12].map((n) => isConsumerRoleChecked(consumerRoleChecked(n, ['x'])))).toEqual([true, true])
  })

  test('usage reports: of shared images, or of every image', () => {
    expect(usageReportsChecked(1, true)).toBe('usage reports of 1 shared image')
    expect(usageReportsChecked(3, false)).toBe('usage reports of 3 images')
    expect([usageReportsChecked(1, true), usageReportsChecked(3, false)].every(isUsageReportsChecked)).toBe(true)
  })

  test('each label is recognized as itself only', () => {
    const labels = [
      REFERENCES_CHECKED,
      consumerRoleChecked(2, []),
      usageReportsChecked(2, true),
      'launch templates',
      // another label that names the accounts further in is not theirs
      `groups of ${consumerRoleChecked(2, [])}`
    ]
    expect(labels.map((l) => [isReferencesChecked(l), isConsumerRoleChecked(l), isUsageReportsChecked(l)])).toEqual([
      [true, false, false],
      [false, true, false],
      [false, false, true],
      [false, false, false],
      [false, false, false]
    ])
  })
})
