import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { errorMessage } from '../errors/error-message.ts';

/**
 * `lungbridge <command> [args]`. Each command is a module in ./commands exporting `summary` (one
 * line for the command list), `usage` (what `lungbridge <command> --help` prints) and
 * `run(args: string[]): Promise<number>` (the exit code).
 */
export interface CliCommand {
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[]): Promise<number>;
}

const commandsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function loadCommand(name: string): Promise<CliCommand> {
  return (await import(path.join(commandsDir, `${name}.ts`))) as CliCommand;
}

async function printHelp(): Promise<void> {
  process.stdout.write('Usage: lungbridge <command> [options]\n\nCommands:\n');
  for (const name of commandNames()) {
    const { summary } = await loadCommand(name);
    process.stdout.write(`  ${name.padEnd(12)} ${summary}\n`);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await printHelp();
    return name ? 0 : 2;
  }
  if (!commandNames().includes(name)) {
    process.stderr.write(`lungbridge: unknown command "${name}"\n`);
    await printHelp();
    return 2;
  }
  const command = await loadCommand(name);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    process.stderr.write(`lungbridge: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  },
);
