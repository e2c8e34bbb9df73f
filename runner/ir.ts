// Names for IR pieces json-schema-to-typescript does not export on their own.
import type { Scenario } from '../schema/generated/types.js';

export type Step = Scenario['steps'][number];
export type ExpectStep = Extract<Step, { op: 'expect' }>;
export type CallStep = Exclude<Step, { op: 'expect' }>;
