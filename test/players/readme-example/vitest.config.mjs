// A project of its own, as a user's: vitest's defaults (the example file is the only test here).
export default {};
