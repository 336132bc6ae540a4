// Preloaded (node --import) into a measured process: reports its peak resident set size, in kB, as it exits.
// Linux keeps getrusage's maxRSS across fork and exec, so a child of a large parent reports the parent's size;
// VmHWM belongs to the process's own address space, made new by exec. maxRSS only where /proc is missing.
import { readFileSync } from 'node:fs';

function peakKb() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
}

process.on('exit', () => {
  process.stderr.write(`\nmax-rss-kb ${peakKb()}\n`);
});
