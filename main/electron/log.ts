// One log for the desktop app: to stdout (useful under `npm start`) and to <town>/logs/desktop.log
// (the only place a packaged app's messages can be read afterwards).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export function makeLog(file: string | null): (line: string) => void {
  let fileOk = false;
  if (file) {
    try {
      mkdirSync(dirname(file), { recursive: true });
      fileOk = true;
    } catch {
      // An unwritable town folder is reported by the Town itself; keep logging to stdout.
    }
  }
  return (line: string) => {
    const stamped = `${new Date().toISOString()} ${line}`;
    console.log(stamped);
    if (fileOk) {
      try {
        appendFileSync(file!, stamped + '\n');
      } catch {
        fileOk = false;
      }
    }
  };
}
