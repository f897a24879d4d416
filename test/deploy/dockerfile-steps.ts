// Reads the repository's Dockerfile into stages and steps, for the tests that check it statically
// and replay its build. It understands the small subset the Dockerfile is kept to (one instruction
// per line, `\` continuations, exec-form JSON arrays, `ENV a=b c=d`); anything else is an error, so
// the Dockerfile cannot grow a step the replay would silently skip.

export const KNOWN_INSTRUCTIONS = ['FROM', 'WORKDIR', 'COPY', 'RUN', 'ENV', 'USER', 'VOLUME', 'EXPOSE', 'HEALTHCHECK', 'CMD'] as const;
export type Instruction = (typeof KNOWN_INSTRUCTIONS)[number];

export interface Step {
  instruction: Instruction;
  /** Everything after the instruction, continuations joined. */
  args: string;
}

export interface Stage {
  /** `FROM <base> AS <name>` */
  base: string;
  name: string;
  steps: Step[];
}

export interface CopyStep {
  from: string | undefined;
  sources: string[];
  dest: string;
}

function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    lines.push(pending + line);
    pending = '';
  }
  if (pending) throw new Error('Dockerfile ends inside a continued line');
  return lines;
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of logicalLines(text)) {
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`cannot read Dockerfile line: ${line}`);
    const instruction = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (!(KNOWN_INSTRUCTIONS as readonly string[]).includes(instruction)) {
      throw new Error(`Dockerfile uses ${instruction}, which the replay does not understand: ${line}`);
    }
    if (instruction === 'FROM') {
      const from = /^(\S+)\s+AS\s+(\S+)$/i.exec(args);
      if (!from) throw new Error(`FROM must name its stage (FROM <image> AS <name>): ${line}`);
      stages.push({ base: from[1]!, name: from[2]!, steps: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${instruction} before any FROM`);
    stage.steps.push({ instruction: instruction as Instruction, args });
  }
  return stages;
}

export function stepsOf(stage: Stage, instruction: Instruction): string[] {
  return stage.steps.filter((step) => step.instruction === instruction).map((step) => step.args);
}

/** An exec-form argument list (`["node", "x.js"]`); shell form is refused: signals must reach Node. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
}

export function parseCopy(args: string): CopyStep {
  const words = args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!;
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
    else throw new Error(`COPY flag the replay does not understand: ${flag}`);
  }
  if (words.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from, sources: words.slice(0, -1), dest: words.at(-1)! };
}

/** `ENV a=b c=d` (the legacy `ENV a b` form is refused). */
export function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of args.split(/\s+/)) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || /["']/.test(pair)) throw new Error(`ENV must be plain name=value pairs: ${args}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** `HEALTHCHECK [--option=value…] CMD [exec form]` → its options and command. */
export function parseHealthcheck(args: string): { options: Record<string, string>; command: string[] } {
  const cmdAt = args.indexOf(' CMD ');
  if (cmdAt < 0) throw new Error(`HEALTHCHECK must use CMD: ${args}`);
  const options: Record<string, string> = {};
  for (const option of args.slice(0, cmdAt).split(/\s+/).filter(Boolean)) {
    const [name, value] = option.replace(/^--/, '').split('=');
    options[name!] = value ?? '';
  }
  return { options, command: execForm(args.slice(cmdAt + ' CMD '.length)) };
}

/** The Node.js major of an official `node:<major>-…` base image. */
export function nodeMajor(base: string): number {
  const match = /^node:(\d+)(?:[-.]|$)/.exec(base);
  if (!match) throw new Error(`not an official node image pinned by major: ${base}`);
  return Number(match[1]);
}
