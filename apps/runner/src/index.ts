/** @warehouse/runner: the `warehouse` CLI. */
export { createProgram, EXIT, main } from './cli.js';
export { Output, type OutputOptions } from './output.js';
