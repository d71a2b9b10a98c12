/** Shared zod schemas for path and query parameters. */
import { z } from '@hono/zod-openapi';

/** A non-negative decimal integer (no sign, no leading zeros, safe). */
export const uintParam = (name: string, example: number) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/, `${name} must be a non-negative whole number`)
    .refine((s) => Number.isSafeInteger(Number(s)), `${name} is too large`)
    .transform((s) => Number(s))
    .openapi({ example: String(example), type: 'string' } as never);

export const hex32 = z.string().regex(/^[0-9a-f]{64}$/).openapi({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
