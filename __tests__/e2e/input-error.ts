/** Runs `fn`, expects an InputError that names `input`, and returns it. */
import { InputError } from '../../src/errors.js'

export function expectInputError(fn: () => unknown, input: string): InputError {
  let caught: unknown
  try {
    fn()
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(InputError)
  const error = caught as InputError
  expect(error.input).toBe(input)
  expect(error.message).toContain(`'${input}'`)
  return error
}
