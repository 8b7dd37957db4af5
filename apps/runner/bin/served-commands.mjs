// The commands a compile server answers: those that read the project and touch no database.
// Read by the CLI's entry (whether to load the client at all), the client and the server.
export const SERVED_COMMANDS = new Set(['compile', 'ls']);
