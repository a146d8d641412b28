import type { Register } from './main.js';
import { register as diagnose } from './diagnose.js';
import { register as collect } from './collect.js';
import { register as demo } from './demo.js';
import { register as policy } from './policy.js';
import { register as gaps } from './gaps.js';
import { register as validate } from './validate.js';
import { register as watch } from './watch.js';
import { register as scan } from './scan.js';
import { register as trace } from './trace.js';

/**
 * The command list, in help order. Each command module exports a `register(program, ctx)`;
 * add yours here with one import and one entry.
 */
export const COMMANDS: readonly Register[] = [diagnose, collect, validate, gaps, trace, scan, watch, demo, policy];
