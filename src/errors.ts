/** A bad input: names the input and what was expected. Raised before any AWS call. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    detail: string
  ) {
    super(`Input '${input}': ${detail}`)
    this.name = 'InputError'
  }
}
