#!/usr/bin/env node
'use strict';
// Keep the young generation at its initial size: btd allocates little that lives, and every MB
// of semi-space is resident memory (the daemon's goal is at most 100 MB). The growth factor is
// read whenever V8 would grow the space, so setting it here works; --max-semi-space-size is read
// only when the heap is set up, so it would need a flag on node's command line.
require('node:v8').setFlagsFromString('--semi-space-growth-factor=1');
// Entry point installed as `btd`; the compiled CLI lives in out/.
require('../out/daemon/src/cli/main.js').main(process.argv.slice(2));
