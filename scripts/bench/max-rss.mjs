// Preloaded (node --import) into a measured process: reports its peak resident set size, in kB, as it exits.
process.on('exit', () => {
  process.stderr.write(`\nmax-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
