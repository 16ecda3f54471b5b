// The package version, as in package.json (test/tools/version.test.ts holds them equal).
export const version = '0.1.0';
