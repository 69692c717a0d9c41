/**
 * Documented exit codes (also in README and `vigie --help`).
 * Results: 0 = nothing found at or above the chosen level / message clean;
 *          1 = detections at or above --fail-level (hunt) / worst verdict "suspicious" (scan);
 *          2 = worst verdict "phishing" (scan); 3 = worst verdict "malicious" (scan).
 * Errors (sysexits.h style): 64 usage, 65 input unreadable (no event or message could be read),
 *          66 input missing, 78 configuration or rules unusable, 70 internal error.
 */
export const EXIT = {
  OK: 0,
  FOUND: 1,
  SCAN_SUSPICIOUS: 1,
  SCAN_PHISHING: 2,
  SCAN_MALICIOUS: 3,
  USAGE: 64,
  DATA: 65,
  NO_INPUT: 66,
  INTERNAL: 70,
  CONFIG: 78,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0   hunt completed (with --fail-level: nothing at or above it) / all messages clean (scan)
  1   detections at or above --fail-level, when given (hunt) / worst verdict suspicious (scan)
  2   worst verdict phishing (scan)
  3   worst verdict malicious (scan)
  64  usage error (unknown option, bad value)
  65  input could not be read (no record or message read from what was given)
  66  input missing (a path does not exist)
  70  internal error (a bug: please report it with the stack trace)
  78  configuration or rules unusable`;

/** Thrown by commands for a clean exit with a message and a code. */
export class CliError extends Error {
  constructor(message: string, public readonly code: number) {
    super(message);
  }
}
