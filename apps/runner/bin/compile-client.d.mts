export function compileThroughServer(argv: readonly string[]): Promise<number | undefined>;
export function requestServer(socket: string, request: object): Promise<unknown>;
