// Preloaded into the gateway by the sockets benchmark (node --expose-gc --import):
// over the IPC channel the benchmark asks for a full GC and reads the memory after it.
// Plain JS so it loads the same way in front of dist/ and tsx.
if (process.send && typeof globalThis.gc === 'function') {
  process.on('message', (message) => {
    if (message?.type !== 'gc') return;
    globalThis.gc();
    globalThis.gc();
    process.send({ type: 'gc', id: message.id, memory: process.memoryUsage() });
  });
  // The channel must not keep the gateway alive on its own.
  process.channel?.unref();
}
