// The town's dogs, in the order the Deacon runs them when several are due.
import type { Dog } from './dog.ts';
import { backupDog } from './backup-dog.ts';
import { compactorDog } from './compactor-dog.ts';
import { doctorDog } from './doctor-dog.ts';
import { reaperDog } from './reaper-dog.ts';
import { remotesDog } from './remotes-dog.ts';

export const DOGS: Dog[] = [backupDog, compactorDog, reaperDog, doctorDog, remotesDog];
