#!/usr/bin/env node
// Runs the compiled CLI (dist/ is built by `npm ci` through the prepare script, or `npm run build`).
import '../dist/cli/main.js';
