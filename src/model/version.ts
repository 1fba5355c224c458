// This Ferry's version, as package.json says (test/model/version.test.ts holds them equal): printed
// by `ferry --version` and written into every status commit, so that an older Ferry meeting a
// newer status format can say which Ferry to run. A constant rather than a read of package.json:
// the GitHub Action's bundle has no package.json beside it.

export const FERRY_VERSION = '0.1.0';
