
// Appended by scripts/build-package.sh. A method called on a freed object (after `free()`, or
// a `using` block's end) is a FlowgateError of kind `closed` — thrown, or a rejected Promise
// for the calls that return one — instead of wasm-bindgen's kindless "null pointer passed to
// rust". Freeing a watch closes it first (a watch only dropped, or collected, keeps running:
// its callbacks are what a caller holds on to). Freeing twice does nothing.
(function guardFreed() {
  function closedError(name) {
    const message = `This ${name} was freed (free(), or the end of a using block): make a new one.`;
    const error = new Error(message);
    error.name = "FlowgateError";
    error.kind = "closed";
    error.details = { kind: "closed", message };
    return error;
  }
  const classes = [
    [PrefectClient, "PrefectClient", new Set(["watchFlowRuns"])],
    [FlowRunWatch, "FlowRunWatch", new Set(["close"])],
  ];
  for (const [Class, name, synchronous] of classes) {
    const proto = Class.prototype;
    for (const key of Object.getOwnPropertyNames(proto)) {
      const method = Object.getOwnPropertyDescriptor(proto, key).value;
      if (typeof method !== "function" || key === "constructor" || key.startsWith("__")) continue;
      proto[key] = function (...args) {
        if (this.__wbg_ptr === 0) {
          if (key === "free" || (Class === FlowRunWatch && key === "close")) return undefined;
          const error = closedError(name);
          if (synchronous.has(key)) throw error;
          return Promise.reject(error);
        }
        if (Class === FlowRunWatch && key === "free") proto.close.call(this);
        return method.apply(this, args);
      };
    }
    if (typeof Symbol.dispose === "symbol") proto[Symbol.dispose] = proto.free;
  }
})();
