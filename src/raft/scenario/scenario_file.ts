/**
 * Reads and rewrites scenario files: blocks of "command line / ---- / expected output /
 * blank line", with `#` comment lines kept in place. `REWRITE=1` regenerates the outputs.
 */

/** One command and its golden output. */
export interface ScenarioBlock {
  comments: string[];
  command: string;
  expected: string;
  line: number;
}

/** Parses a scenario file into blocks. */
export function parseScenarioFile(text: string): ScenarioBlock[] {
  const lines = text.split('\n');
  const blocks: ScenarioBlock[] = [];
  let comments: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    if (line.startsWith('#')) {
      comments.push(line);
      i++;
      continue;
    }
    const command = line;
    const at = i + 1;
    i++;
    if (lines[i] !== '----') throw new Error(`line ${i + 1}: expected ---- after command`);
    i++;
    const out: string[] = [];
    while (i < lines.length && lines[i] !== '') out.push(lines[i++]!);
    blocks.push({ comments, command, expected: out.join('\n'), line: at });
    comments = [];
  }
  return blocks;
}

/** Renders blocks with the given outputs back into file text. */
export function renderScenarioFile(blocks: ScenarioBlock[], outputs: string[]): string {
  const parts: string[] = [];
  blocks.forEach((b, k) => {
    const body = outputs[k]!.length > 0 ? outputs[k]! : 'ok';
    parts.push([...b.comments, b.command, '----', body].join('\n'));
  });
  return parts.join('\n\n') + '\n';
}
