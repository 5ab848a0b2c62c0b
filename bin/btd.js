#!/usr/bin/env node
'use strict';
const args = process.argv.slice(2);
// Hashing of downloaded pieces (WebCrypto), file reads and writes, fsyncs and stats all run on
// libuv's thread pool, of 4 threads by default: four slow disk calls (fsyncs behind a busy disk)
// stopped hashing altogether, and two halved it (bench/threadpool.md). 16 threads cost about 70 kB.
// libuv reads the size when the pool starts, at the first asynchronous call: here, before any.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '16';
// The daemon, seeding and downloading allocate little that lives, and every MB of heap is resident
// memory (the goal is at most 100 MB per process), so V8 is told to favour size: the young
// generation stays at its initial size and the old one grows in small steps. Both flags are read
// whenever V8 sizes a space, so setting them here works (--max-semi-space-size is read only at
// start-up and would need a flag on node's own command line). `create` and `info` run for moments,
// and `create` is bound by its hashing threads, which these settings slow by about a tenth.
if (args[0] !== 'create' && args[0] !== 'info') {
  const v8 = require('node:v8');
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  v8.setFlagsFromString('--optimize-for-size');
}
// `btd create` starts its hashing worker first, so the worker boots while the CLI loads.
if (args[0] === 'create') require('../out/daemon/src/cli/create-pool.js').createCommandPool();
// Entry point installed as `btd`; the compiled CLI lives in out/.
require('../out/daemon/src/cli/main.js').main(args);
