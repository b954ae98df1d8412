import { seedDevelopmentDemo } from '../modules/development/index.ts';
import { membersDemoStep } from '../modules/members/index.ts';
import { recruitmentDemoStep } from '../modules/recruitment/index.ts';
import type { DemoStep } from './demo.ts';

/** Demo data steps contributed by modules, run in order after the demo accounts exist. */
export const demoSteps: DemoStep[] = [
  recruitmentDemoStep,
  membersDemoStep,
  { name: 'development: self-assessments, a 360 and a plan', run: seedDevelopmentDemo },
];
