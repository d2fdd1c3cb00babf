/** layerdelta's release; test/version.test.ts keeps it equal to package.json's `version`. */
export const VERSION = '0.1.0';
