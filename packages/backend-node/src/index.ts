/**
 * @packageDocumentation
 * `@dialogpt/backend-node`. This package exports nothing yet: its issue has not landed.
 */
export {}
