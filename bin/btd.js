#!/usr/bin/env node
'use strict';
// Entry point installed as `btd`; the compiled CLI lives in out/.
require('../out/daemon/src/cli/main.js').main(process.argv.slice(2));
