/**
 * Port checks live with the emulators, which run them too; the e2e tests read them from here.
 */
export { isFree } from "../emulators/ports.ts";
