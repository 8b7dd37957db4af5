export const SERVED_COMMANDS: ReadonlySet<string>;
