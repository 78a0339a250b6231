/**
 * Progress on stderr for the commands that work through many items: a bar redrawn in place on a
 * terminal, one plain line per update otherwise (a log or a pipe keeps every line).
 */
const BAR_COLUMNS = 24;

export class ProgressDisplay {
  readonly tty: boolean;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = stream.isTTY === true;
  }

  /** `[####----] done/total label` on a terminal; `[done/total] label` as its own line otherwise. */
  show(done: number, total: number | undefined, label: string): void {
    const count = `${done}/${total ?? '?'}`;
    if (!this.tty) {
      this.stream.write(`[${count}] ${label}\n`);
      return;
    }
    const filled = total ? Math.min(BAR_COLUMNS, Math.round((BAR_COLUMNS * done) / total)) : 0;
    const line = `[${'#'.repeat(filled)}${'-'.repeat(BAR_COLUMNS - filled)}] ${count} ${label}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, Math.max(BAR_COLUMNS + 10, (this.stream.columns || 80) - 1))}`);
    this.drawn = true;
  }

  /** A line that stays on screen: on a terminal it is written above the bar, which the next `show` redraws. */
  note(line: string): void {
    this.stream.write(this.tty && this.drawn ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  /** Leaves the bar's last state on screen and moves below it. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
