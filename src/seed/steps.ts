import { seedDevelopmentDemo } from '../modules/development/index.ts';
import { knowledgeDemoStep } from '../modules/knowledge/index.ts';
import { learningSetsDemoStep } from '../modules/learning-sets/index.ts';
import { membersDemoStep } from '../modules/members/index.ts';
import { mentoringDemoStep } from '../modules/mentoring/index.ts';
import { policyDemoStep } from '../modules/policy/index.ts';
import { recruitmentDemoStep } from '../modules/recruitment/index.ts';
import type { DemoStep } from './demo.ts';

/** Demo data steps contributed by modules, run in order after the demo accounts exist. */
export const demoSteps: DemoStep[] = [
  recruitmentDemoStep,
  membersDemoStep,
  learningSetsDemoStep,
  { name: 'development: self-assessments, a 360 and a plan', run: seedDevelopmentDemo },
  mentoringDemoStep,
  policyDemoStep,
  knowledgeDemoStep,
];
