/**
 * The labels of what a usage search checked (a region's `checked` list, shown in the report's
 * closing line), written by the steps and read by the renderer to say what was not checked: both
 * sides build and recognize them here, so that a change of wording cannot silently turn "checked"
 * into "not checked" (or the reverse).
 */
import { plural } from './outcome.js'

/** DescribeImageReferences answered: SSM parameters and recipes were checked. */
export const REFERENCES_CHECKED = 'SSM parameters, Image Builder recipes and instances (DescribeImageReferences)'

/** `2 other accounts by consumer-role: launch templates, Auto Scaling groups`. */
export function consumerRoleChecked(accounts: number, what: string[]): string {
  return `${plural(accounts, 'other account')} by consumer-role${what.length ? `: ${what.join(', ')}` : ''}`
}

/** `usage reports of 3 shared images` (`of 1 image` when every image's report was asked for). */
export function usageReportsChecked(images: number, sharedOnly: boolean): string {
  return `usage reports of ${plural(images, sharedOnly ? 'shared image' : 'image')}`
}

export const isReferencesChecked = (label: string): boolean => label === REFERENCES_CHECKED
export const isConsumerRoleChecked = (label: string): boolean => /^\d+ other accounts? by consumer-role/.test(label)
export const isUsageReportsChecked = (label: string): boolean => label.startsWith('usage reports of ')
