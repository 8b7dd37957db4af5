export function compileThroughServer(argv: readonly string[], runner: string): Promise<number | undefined>;
export function requestServer(socket: string, request: object): Promise<unknown>;
