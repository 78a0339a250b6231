/** Exit codes: 0 done, 1 an input could not be used, 2 bad usage or data that cannot be encoded. */
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;

/** Ends a command with an exit code and a message for stderr. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}
