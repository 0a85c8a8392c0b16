// Typed errors: deep code raises them, only the CLI turns them into one line and an exit code.

export type ErrorCategory = 'usage' | 'input' | 'internal';

export class KeylagError extends Error {
  readonly category: ErrorCategory;
  readonly file: string | null;
  readonly line: number | null;

  constructor(category: ErrorCategory, message: string, where: { file?: string | null; line?: number | null } = {}) {
    super(message);
    this.name = 'KeylagError';
    this.category = category;
    this.file = where.file ?? null;
    this.line = where.line ?? null;
  }

  /** `file:line: message`, the one line a user sees. */
  oneLine(): string {
    const at = this.file === null ? '' : this.line === null ? `${this.file}: ` : `${this.file}:${this.line}: `;
    return `${at}${this.message}`;
  }
}

export function usageError(message: string): KeylagError {
  return new KeylagError('usage', message);
}

export function inputError(message: string, file: string | null, line: number | null = null): KeylagError {
  return new KeylagError('input', message, { file, line });
}

export function isKeylagError(e: unknown): e is KeylagError {
  return e instanceof KeylagError;
}
