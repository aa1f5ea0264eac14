import { availableParallelism } from "node:os";

// Imported first by the entry points, before anything touches libuv's thread pool, which reads
// UV_THREADPOOL_SIZE once, when it starts. argon2 hashes on that pool (one thread per hash at
// parallelism 1); Node's default of 4 threads puts twice as many hashes as cores on a 2-core
// machine, where they only slow each other and the event loop down. One thread per core instead,
// unless the operator chose a size.
process.env.UV_THREADPOOL_SIZE ??= String(availableParallelism());
