import type { DemoStep } from './demo.ts';

/** Demo data steps contributed by modules, run in order after the demo accounts exist. */
export const demoSteps: DemoStep[] = [];
