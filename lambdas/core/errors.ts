/** Input that cannot be judged at all (not JSON, wrong shape). The CLI exits 2 on it. */
export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}

/** A policy document that cannot be parsed or has an impossible shape. */
export class PolicyParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyParseError';
  }
}
