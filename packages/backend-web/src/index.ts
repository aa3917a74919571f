/**
 * @packageDocumentation
 * `@dialogpt/backend-web`. This package exports nothing yet: its issue has not landed.
 */
export {}
