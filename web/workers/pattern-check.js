// The console's pattern checker: runs one schema `pattern` search at a time, off the page's
// main thread. A pattern that backtracks without end (`^(a+)+$` against `aaaa…a!`) keeps only
// this worker busy; the console stops it after its time budget and starts a new one
// (crates/ui/src/state/pattern_checks.rs).
self.onmessage = ({ data: { id, source, flags, text } }) => {
  try {
    self.postMessage({ id, found: new RegExp(source, flags).test(text) });
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
};
