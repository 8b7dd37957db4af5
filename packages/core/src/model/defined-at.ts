import { fileURLToPath } from 'node:url';

/**
 * The `file:line` of the code that called a `define*` function, read from the stack, so that
 * errors can point at the declaration. Undefined when the stack has no usable frame.
 */
export function definedAt(): string | undefined {
  const stack = new Error().stack?.split('\n') ?? [];
  // frame 0 is the message, 1 is this function, 2 the define* function, 3 its caller
  const frame = stack[3];
  const match = frame && /\(?((?:file:\/\/)?[^\s()]+):(\d+):\d+\)?$/.exec(frame.trim());
  if (!match) return undefined;
  const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
  return `${file}:${match[2]}`;
}
