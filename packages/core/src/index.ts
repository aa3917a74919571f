/**
 * @packageDocumentation
 * `@dialogpt/core`. This package exports nothing yet: its issue has not landed.
 */
export {}
