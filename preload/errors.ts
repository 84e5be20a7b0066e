// The one error shape every transport carries: a code a program can branch on, a message a person can read.

export const ERROR_CODES = ['invalid', 'not_found', 'conflict', 'unavailable', 'unauthorized', 'forbidden', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class TownError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TownError';
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }

  static from(value: unknown): TownError {
    if (value instanceof TownError) return value;
    const v = value as { code?: unknown; message?: unknown } | null;
    if (v && typeof v.code === 'string' && (ERROR_CODES as readonly string[]).includes(v.code) && typeof v.message === 'string') {
      return new TownError(v.code as ErrorCode, v.message);
    }
    return new TownError('internal', value instanceof Error ? value.message : String(value));
  }
}
