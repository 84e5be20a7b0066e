// The town's dogs, in the order the Deacon runs them when several are due.
import type { Dog } from './dog.ts';
import { backupDog } from './backup-dog.ts';

export const DOGS: Dog[] = [backupDog];
