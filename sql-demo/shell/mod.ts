/** Interactive SQL shell (the playground opens it). */
export { runShell, formatResult, type ShellOptions } from './shell.ts';
