// Runs schema pattern searches in a Web Worker (web/workers/pattern-check.js), one at a time,
// for crates/ui/src/state/pattern_checks.rs. A search still running after its budget is
// stopped by ending the worker (the only way to stop a RegExp); the searches queued behind it
// go to a new worker. Each search resolves to { found }, { timedOut: true } or { error }; it
// never rejects.
const SCRIPT = "/pattern-check.js";
let worker = null;
let broken = null;
let nextId = 0;
const queue = []; // { id, message, resolve, budget }; the first is the one running
let timer = null;

function fail(why) {
  broken = why;
  worker?.terminate();
  worker = null;
  clearTimeout(timer);
  for (const job of queue.splice(0)) job.resolve({ error: broken });
}

function start() {
  try {
    worker = new Worker(SCRIPT);
  } catch (error) {
    return fail(`the pattern checker could not start (${error.message})`);
  }
  worker.onmessage = ({ data }) => {
    if (queue[0]?.id !== data.id) return; // an answer from a worker already ended
    queue.shift().resolve(data);
    arm();
  };
  worker.onerror = (event) => {
    event.preventDefault();
    fail(`the pattern checker ${SCRIPT} could not be loaded from the console's server`);
  };
  for (const job of queue) worker.postMessage(job.message);
}

function arm() {
  clearTimeout(timer);
  const first = queue[0];
  if (!first) return;
  timer = setTimeout(() => {
    if (queue[0] !== first) return;
    worker.terminate();
    worker = null;
    queue.shift().resolve({ timedOut: true });
    if (queue.length) start();
    arm();
  }, first.budget);
}

export function searchElsewhere(source, flags, text, budget) {
  if (broken) return Promise.resolve({ error: broken });
  return new Promise((resolve) => {
    nextId += 1;
    const job = { id: nextId, message: { id: nextId, source, flags, text }, resolve, budget };
    queue.push(job);
    if (worker) worker.postMessage(job.message);
    else start();
    if (queue.length === 1) arm();
  });
}
